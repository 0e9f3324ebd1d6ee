using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Serialization;

namespace KubeMesh.Api.Tests.Serialization;

public sealed class ManifestDecoderTests
{
    [Theory]
    [MemberData(nameof(TestManifests.Seed), MemberType = typeof(TestManifests))]
    public void Decode_SeedManifest_DecodesEveryDocument(string file)
    {
        var text = TestManifests.Read("seed", file);

        var objects = ManifestDecoder.Decode(text);

        var documents = text.Split("\n---", StringSplitOptions.RemoveEmptyEntries).Length;
        Assert.Equal(documents, objects.Count);
        Assert.All(objects, o => Assert.False(string.IsNullOrEmpty(o.Kind.Metadata(o.Object).Name)));
    }

    [Fact]
    public void Decode_MultipleDocuments_KeepsOrderKindsAndPositions()
    {
        var objects = ManifestDecoder.Decode(TestManifests.Read("seed", "16-service.yaml"));

        Assert.Equal([ResourceKinds.Pod, ResourceKinds.Service], objects.Select(o => o.Kind));
        Assert.Equal([1, 2], objects.Select(o => o.Document));
        var service = Assert.IsType<Service>(objects[1].Object);
        Assert.Equal(8080, service.Spec.Ports[0].Port);
        Assert.Equal(80, service.Spec.Ports[0].TargetPort.NumberValue);
        Assert.Equal("world", service.Metadata.Labels["hello"]);
    }

    [Fact]
    public void Decode_DeploymentPercentages_AreIntOrStringStrings()
    {
        var deployment = (Deployment)ManifestDecoder.Decode(TestManifests.Read("seed", "21-deployment.yaml"))[0].Object;

        Assert.Equal(Value.KindOneofCase.StringValue, deployment.Spec.Strategy.RollingUpdate.MaxSurge.KindCase);
        Assert.Equal("25%", deployment.Spec.Strategy.RollingUpdate.MaxSurge.StringValue);
        Assert.Equal(3, deployment.Spec.Replicas);
    }

    [Fact]
    public void Decode_NamedProbePort_IsString()
    {
        var pod = Decode<Pod>("""
            apiVersion: v1
            kind: Pod
            metadata: {name: p}
            spec:
              containers:
              - name: c
                image: nginx
                ports: [{name: http, containerPort: 80}]
                livenessProbe:
                  httpGet: {path: /, port: http}
                readinessProbe:
                  tcpSocket: {port: 8080}
            """);

        Assert.Equal("http", pod.Spec.Containers[0].LivenessProbe.HttpGet.Port.StringValue);
        Assert.Equal(8080, pod.Spec.Containers[0].ReadinessProbe.TcpSocket.Port.NumberValue);
    }

    [Fact]
    public void Decode_NumbersAndBooleansForStringFields_BecomeTheirText()
    {
        var pod = Decode<Pod>("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: p
              labels: {version: 1.10, enabled: true, count: 3}
            spec:
              containers:
              - name: c
                image: nginx
                resources:
                  requests: {cpu: 1, memory: 1e3}
                env:
                - {name: PORT, value: 8080}
            """);

        Assert.Equal("1.10", pod.Metadata.Labels["version"]);
        Assert.Equal("true", pod.Metadata.Labels["enabled"]);
        Assert.Equal("3", pod.Metadata.Labels["count"]);
        Assert.Equal("1", pod.Spec.Containers[0].Resources.Requests["cpu"]);
        Assert.Equal("1e3", pod.Spec.Containers[0].Resources.Requests["memory"]);
        Assert.Equal("8080", pod.Spec.Containers[0].Env[0].Value);
    }

    [Theory]
    [InlineData("0400", 256)]
    [InlineData("0644", 420)]
    [InlineData("0755", 493)]
    [InlineData("420", 420)]
    [InlineData("0800", 800)] // not octal: YAML 1.1 and 1.2 both read 800
    public void Decode_FileModes_LeadingZeroIsYaml11OctalAsKubectlReadsIt(string mode, int expected)
    {
        var pod = Decode<Pod>($$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: p}
            spec:
              containers: [{name: c, image: nginx}]
              volumes:
              - name: secret
                secret:
                  secretName: s
                  defaultMode: {{mode}}
                  items: [{key: k, path: k, mode: {{mode}}}]
              - name: config
                configMap: {name: c, defaultMode: {{mode}}}
            """);

        Assert.Equal(expected, pod.Spec.Volumes[0].Secret.DefaultMode);
        Assert.Equal(expected, pod.Spec.Volumes[0].Secret.Items[0].Mode);
        Assert.Equal(expected, pod.Spec.Volumes[1].ConfigMap.DefaultMode);
    }

    [Fact]
    public void Decode_QuotedNumberForIntegerField_IsWrongType()
    {
        var error = DecodeFails("""
            apiVersion: v1
            kind: Pod
            metadata: {name: p}
            spec:
              containers:
              - name: c
                image: nginx
                ports:
                - containerPort: "80"
            """);

        Assert.Contains(error.Errors, e => e.Path == "spec.containers[0].ports[0].containerPort" && e.Message.Contains("expected an integer"));
    }

    [Fact]
    public void Decode_ObjectWhereListExpected_ReportsPath()
    {
        var error = DecodeFails("""
            apiVersion: v1
            kind: Pod
            metadata: {name: p}
            spec:
              containers:
                name: c
                image: nginx
            """);

        var only = Assert.Single(error.Errors);
        Assert.Equal("spec.containers", only.Path);
        Assert.Equal("wrong type: expected a list, got an object", only.Message);
    }

    [Fact]
    public void Decode_EnvFromWithNameAndValueFrom_ReportsUnknownFieldsWithPath()
    {
        var error = Assert.Throws<ManifestException>(() => ManifestDecoder.Decode(TestManifests.Read("malformed", "envfrom-wrong-shape.yaml")));

        Assert.Contains(error.Errors, e => e.Path == "spec.containers[0].envFrom[0].name" && e.Message.StartsWith("unknown field \"name\"", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Path == "spec.containers[0].envFrom[0].valueFrom");
        Assert.Contains("Pod/envfrom-wrong: spec.containers[0].envFrom[0].name: unknown field \"name\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_JobBackoffLimitUnderTemplate_PointsToSpecBackoffLimit()
    {
        var error = Assert.Throws<ManifestException>(() => ManifestDecoder.Decode(TestManifests.Read("malformed", "job-backofflimit-misplaced.yaml")));

        var only = Assert.Single(error.Errors);
        Assert.Equal("spec.template.backoffLimit", only.Path);
        Assert.StartsWith("unknown field \"backoffLimit\"", only.Message, StringComparison.Ordinal);
        Assert.Contains("spec.backoffLimit", only.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_MisindentedDownwardApi_ReportsUnknownSpecField()
    {
        var error = Assert.Throws<ManifestException>(() => ManifestDecoder.Decode(TestManifests.Read("malformed", "downward-volume-misindented.yaml")));

        var only = Assert.Single(error.Errors);
        Assert.Equal("spec.downwardAPI", only.Path);
        Assert.Contains("spec.volumes[*].downwardAPI", only.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_ErrorsInSeveralDocuments_ReportsAllWithTheirObjects()
    {
        var error = DecodeFails("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: one}
            dta: {a: b}
            ---
            apiVersion: v1
            kind: Gadget
            metadata: {name: two}
            ---
            kind: Pod
            metadata: {name: three}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {}
            """);

        Assert.Equal(["dta", "kind", "apiVersion", "metadata.name"], error.Errors.Select(e => e.Path));
        var lines = error.Message.Split(Environment.NewLine);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("ConfigMap/one: dta: unknown field", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("Gadget/two: kind: ", lines[1], StringComparison.Ordinal);
        Assert.Equal("Pod/three: apiVersion: Required value", lines[2]);
        Assert.StartsWith("document 4 (Secret): metadata.name: Required value", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_KindServedUnderOtherGroup_NamesApiVersion()
    {
        var error = DecodeFails("apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: i}\n");

        var only = Assert.Single(error.Errors);
        Assert.Equal("apiVersion", only.Path);
        Assert.Contains("networking.k8s.io/v1", only.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_GenerateNameWithoutName_IsAccepted()
    {
        var pod = Decode<Pod>("apiVersion: v1\nkind: Pod\nmetadata: {generateName: web-}\n");

        Assert.Equal("web-", pod.Metadata.GenerateName);
    }

    [Fact]
    public void Decode_JsonList_DecodesItems()
    {
        var objects = ManifestDecoder.Decode("""
            {"apiVersion": "v1", "kind": "List", "items": [
              {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}},
              {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"replicas": 2}}
            ]}
            """);

        Assert.Equal([ResourceKinds.ConfigMap, ResourceKinds.Deployment], objects.Select(o => o.Kind));
        Assert.Equal("v", ((ConfigMap)objects[0].Object).Data["k"]);
    }

    [Fact]
    public void Decode_Int64AsProtobufJsonString_IsAccepted()
    {
        var pod = Decode<Pod>("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"terminationGracePeriodSeconds":"45"}}""");

        Assert.Equal(45, pod.Spec.TerminationGracePeriodSeconds);
    }

    [Fact]
    public void Decode_ProtoFieldNames_AreAccepted()
    {
        var pod = Decode<Pod>("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  restart_policy: Never\n");

        Assert.Equal("Never", pod.Spec.RestartPolicy);
    }

    [Fact]
    public void Decode_BadYaml_ReportsLine()
    {
        var error = DecodeFails("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n");

        Assert.StartsWith("yaml: line", Assert.Single(error.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_IntegerOutOfRange_ReportsPath()
    {
        var error = DecodeFails("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 99999999999}\n");

        Assert.Equal("spec.replicas", Assert.Single(error.Errors).Path);
    }

    [Fact]
    public void Decode_SecretDataNotBase64_ReportsKey()
    {
        var error = DecodeFails("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {password: not base64!}\n");

        Assert.Equal("data[password]", Assert.Single(error.Errors).Path);
    }

    [Fact]
    public void Decode_EmptyText_ReturnsNothing()
    {
        Assert.Empty(ManifestDecoder.Decode("# nothing here\n---\n"));
    }

    private static T Decode<T>(string yaml) => Assert.IsType<T>(Assert.Single(ManifestDecoder.Decode(yaml)).Object);

    private static ManifestException DecodeFails(string yaml) => Assert.Throws<ManifestException>(() => ManifestDecoder.Decode(yaml));
}
