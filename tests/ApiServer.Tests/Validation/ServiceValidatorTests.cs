using static KubeMesh.ApiServer.Tests.Validation.Manifests;

namespace KubeMesh.ApiServer.Tests.Validation;

public sealed class ServiceValidatorTests
{
    private static IReadOnlyList<KubeMesh.Api.Serialization.FieldError> Service(string spec) =>
        Errors($"apiVersion: v1\nkind: Service\nmetadata: {{name: s}}\nspec:\n{spec}\n");

    [Fact]
    public void ValidateCreate_UnknownType_IsUnsupported()
    {
        AssertError(Service("  type: Ingress\n  ports: [{port: 80}]"), "spec.type", "Unsupported value");
    }

    [Fact]
    public void ValidateCreate_NoPorts_IsRequired()
    {
        AssertError(Service("  selector: {app: web}"), "spec.ports", "Required value");
    }

    [Fact]
    public void ValidateCreate_HeadlessWithoutPorts_IsValid()
    {
        AssertValid(Service("  clusterIP: None\n  selector: {app: web}"));
    }

    [Theory]
    [InlineData("[{port: 0}]", "spec.ports[0].port", "Required value")]
    [InlineData("[{port: 80, targetPort: 70000}]", "spec.ports[0].targetPort", "between 1 and 65535")]
    [InlineData("[{port: 80, targetPort: Not_A_Name}]", "spec.ports[0].targetPort", "alpha-numeric")]
    [InlineData("[{port: 80, protocol: ICMP}]", "spec.ports[0].protocol", "Unsupported value")]
    [InlineData("[{port: 80}, {port: 81}]", "spec.ports[0].name", "Required value")]
    [InlineData("[{port: 80, nodePort: 30080}]", "spec.ports[0].nodePort", "may not be used when `type` is 'ClusterIP'")]
    public void ValidateCreate_BadPort_ReportsPath(string ports, string path, string message)
    {
        AssertError(Service($"  ports: {ports}"), path, message);
    }

    [Fact]
    public void ValidateCreate_NamedTargetPort_IsValid()
    {
        AssertValid(Service("  ports: [{port: 80, targetPort: http}]"));
    }

    [Fact]
    public void ValidateCreate_ExternalNameWithoutName_IsRequired()
    {
        AssertError(Service("  type: ExternalName"), "spec.externalName", "Required value");
    }

    [Fact]
    public void ValidateCreate_BadClusterIp_IsInvalid()
    {
        AssertError(Service("  clusterIP: 10.0.0\n  ports: [{port: 80}]"), "spec.clusterIP", "valid IP");
        AssertError(Service("  type: NodePort\n  clusterIP: None\n  ports: [{port: 80}]"), "spec.clusterIP", "may not be set to 'None'");
    }

    [Fact]
    public void ValidateCreate_EndpointsWithBadAddress_IsInvalid()
    {
        var errors = Errors("apiVersion: v1\nkind: Endpoints\nmetadata: {name: e}\nsubsets: [{addresses: [{ip: nope}], ports: [{port: 80}]}]\n");

        AssertError(errors, "subsets[0].addresses[0].ip", "valid IP");
    }
}
