namespace KubeMesh.Kubelet.Images;

public sealed class ImageRegistryOptions
{
    /// <summary>The KubeMesh.Images program that implements the nginx and http-echo images.</summary>
    public string ImagesAssemblyPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "KubeMesh.Images.dll");

    /// <summary>The dotnet host that runs it; by default the one running the kubelet.</summary>
    public string DotnetHostPath { get; set; } = DefaultDotnetHost();

    private static string DefaultDotnetHost()
    {
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet")
        {
            return current;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
    }
}
