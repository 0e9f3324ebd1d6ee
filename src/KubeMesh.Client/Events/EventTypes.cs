namespace KubeMesh.Client;

/// <summary>The two event types Kubernetes allows (core/v1 EventTypeNormal, EventTypeWarning).</summary>
public static class EventTypes
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";
}
