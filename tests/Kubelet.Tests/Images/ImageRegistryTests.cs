using KubeMesh.Kubelet.Images;

namespace KubeMesh.Kubelet.Tests.Images;

public sealed class ImageRegistryTests
{
    private readonly ImageRegistry _registry = new(new ImageRegistryOptions { DotnetHostPath = "dotnet", ImagesAssemblyPath = "/images.dll" });

    [Theory]
    [InlineData("nginx:1.14.2", "nginx")]
    [InlineData("docker.io/library/busybox:1.36@sha256:abc", "busybox")]
    [InlineData("hashicorp/http-echo", "hashicorp/http-echo")]
    [InlineData("quay.io/jetstack/cert-manager-acmesolver:v1.16.2", "jetstack/cert-manager-acmesolver")]
    public void Parse_ReferenceForms_NameTheRepository(string image, string repository) =>
        Assert.Equal(repository, ImageReference.Parse(image).Repository);

    [Fact]
    public void BuildArgv_CommandAndArgs_ReplaceEntrypointAndCmdAsKubernetesDoes()
    {
        var nginx = _registry.Resolve("nginx");

        Assert.Equal(["dotnet", "/images.dll", "nginx"], nginx.BuildArgv([], []));
        Assert.Equal(["/bin/echo", "hello"], nginx.BuildArgv(["/bin/echo"], ["hello"]));
        Assert.Equal(["/bin/true"], nginx.BuildArgv(["/bin/true"], []));
        Assert.Equal(["dotnet", "/images.dll", "nginx", "-g", "daemon off;"], nginx.BuildArgv([], ["-g", "daemon off;"]));
        Assert.Equal(["sh"], _registry.Resolve("busybox").BuildArgv([], []));
    }
}
