using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Serialization;

namespace KubeMesh.Api.Tests.Serialization;

public sealed class ManifestEncoderTests
{
    [Theory]
    [MemberData(nameof(TestManifests.Seed), MemberType = typeof(TestManifests))]
    public void ToYaml_SeedObject_DecodesBackToEqualMessage(string file)
    {
        foreach (var original in ManifestDecoder.Decode(TestManifests.Read("seed", file)))
        {
            var yaml = ManifestEncoder.ToYaml(original.Object);

            var decoded = Assert.Single(ManifestDecoder.Decode(yaml));
            Assert.Equal(original.Object, decoded.Object);
        }
    }

    [Theory]
    [MemberData(nameof(TestManifests.Seed), MemberType = typeof(TestManifests))]
    public void ToJson_SeedObject_DecodesBackToEqualMessage(string file)
    {
        foreach (var original in ManifestDecoder.Decode(TestManifests.Read("seed", file)))
        {
            var decoded = Assert.Single(ManifestDecoder.Decode(ManifestEncoder.ToJson(original.Object)));
            Assert.Equal(original.Object, decoded.Object);
        }
    }

    [Fact]
    public void ToYaml_Pod_PrintsLikeKubectl()
    {
        var pod = new Pod
        {
            Metadata = new ObjectMeta { Name = "web", Labels = { ["version"] = "80", ["app"] = "web" } },
            Spec = new PodSpec
            {
                TerminationGracePeriodSeconds = 30,
                Containers = { new Container { Name = "nginx", Image = "nginx:1.14.2", Ports = { new ContainerPort { ContainerPort_ = 80 } } } },
                Volumes = { new Volume { Name = "data", EmptyDir = new EmptyDirVolumeSource() } },
            },
            Status = new PodStatus { Phase = "Pending" },
        };

        var yaml = ManifestEncoder.ToYaml(pod);

        Assert.Equal(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              labels:
                app: web
                version: "80"
              name: web
            spec:
              containers:
              - image: nginx:1.14.2
                name: nginx
                ports:
                - containerPort: 80
              terminationGracePeriodSeconds: 30
              volumes:
              - emptyDir: {}
                name: data
            status:
              phase: Pending

            """.Replace("\r\n", "\n", StringComparison.Ordinal),
            yaml);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("yes")]
    [InlineData("null")]
    [InlineData("1.5")]
    [InlineData("0x1F")]
    [InlineData("0644")]
    [InlineData("2024-01-01")]
    [InlineData("")]
    [InlineData("a: b")]
    [InlineData("- item")]
    [InlineData("#comment")]
    [InlineData("line one\nline two")]
    public void ToYaml_StringThatLooksLikeOtherType_RoundTripsAsString(string value)
    {
        var map = new ConfigMap { Metadata = new ObjectMeta { Name = "c" }, Data = { ["key"] = value } };

        var decoded = (ConfigMap)ManifestDecoder.Decode(ManifestEncoder.ToYaml(map))[0].Object;

        Assert.Equal(value, decoded.Data["key"]);
    }

    [Fact]
    public void ToYaml_PlainString_IsNotQuoted()
    {
        var map = new ConfigMap { Metadata = new ObjectMeta { Name = "c" }, Data = { ["load-balance"] = "least_conn" } };

        Assert.Contains("  load-balance: least_conn\n", ManifestEncoder.ToYaml(map), StringComparison.Ordinal);
    }

    [Fact]
    public void ToJson_Int64AndIntOrString_AreNumbers()
    {
        var service = new Service
        {
            Metadata = new ObjectMeta { Name = "s", CreationTimestamp = Timestamp.FromDateTime(new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc)) },
            Spec = new ServiceSpec { Ports = { new ServicePort { Port = 80, TargetPort = Value.ForNumber(8080) } } },
        };
        var pod = new Pod { Metadata = new ObjectMeta { Name = "p" }, Spec = new PodSpec { TerminationGracePeriodSeconds = 30 } };

        var json = ManifestEncoder.ToJson(service);

        Assert.Contains("\"targetPort\": 8080", json, StringComparison.Ordinal);
        Assert.Contains("\"creationTimestamp\": \"2024-01-02T03:04:05Z\"", json, StringComparison.Ordinal);
        Assert.StartsWith("{\n    \"apiVersion\": \"v1\",\n    \"kind\": \"Service\",", json, StringComparison.Ordinal);
        Assert.Contains("\"terminationGracePeriodSeconds\": 30", ManifestEncoder.ToJson(pod), StringComparison.Ordinal);
    }

    [Fact]
    public void ToYaml_SecretData_IsBase64()
    {
        var secret = new Secret { Metadata = new ObjectMeta { Name = "s" }, Data = { ["user"] = Google.Protobuf.ByteString.CopyFromUtf8("admin") } };

        Assert.Contains("  user: YWRtaW4=\n", ManifestEncoder.ToYaml(secret), StringComparison.Ordinal);
    }
}
