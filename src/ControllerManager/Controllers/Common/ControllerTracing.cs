using System.Diagnostics;

namespace KubeMesh.ControllerManager.Controllers.Common;

/// <summary>The controllers' spans ("sync deployment default/web"), one source for the whole controller-manager.</summary>
public static class ControllerTracing
{
    public const string SourceName = "KubeMesh.ControllerManager";

    public static readonly ActivitySource Source = new(SourceName);
}
