using System.Text.Json.Nodes;

namespace KubeMesh.ApiServer.Rest;

/// <summary>
/// GET /version. kubectl on this project's machines is a dispatcher that picks its own version by the server's
/// minor ("29" and "33" pick those, anything else 1.32), so the server speaks as a 1.32 kube-apiserver.
/// </summary>
public static class VersionInfo
{
    public const string GitVersion = "v1.32.0-kubemesh";

    public static JsonObject Document() => new()
    {
        ["major"] = "1",
        ["minor"] = "32",
        ["gitVersion"] = GitVersion,
        ["gitCommit"] = typeof(VersionInfo).Assembly.GetName().Version?.ToString() ?? "",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "",
        ["goVersion"] = "",
        ["compiler"] = "dotnet",
        ["platform"] = $"linux/{(System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "arm64" : "amd64")}",
    };
}
