using System.Text.Json.Nodes;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Serialization;
using KubeMesh.ApiServer.Rest;
using KubeMesh.ApiServer.Tests.Validation;

namespace KubeMesh.ApiServer.Tests.Rest;

/// <summary>Objects to Kubernetes JSON and back: what the REST API writes, it reads back unchanged.</summary>
public sealed class ConversionRoundTripTests
{
    [Theory]
    [MemberData(nameof(TestManifests.Seed), MemberType = typeof(TestManifests))]
    public void EncodeThenDecode_EverySeedObject_GivesTheSameObject(string file)
    {
        foreach (var item in ManifestDecoder.Decode(TestManifests.Read("seed", file)))
        {
            var json = RestObjects.Encode(item.Object);
            var text = json.ToJsonString();

            var decoded = RestObjects.Decode(item.Kind, JsonNode.Parse(text)!, UnknownFieldPolicy.Strict);

            var expected = item.Object.Clone();
            item.Kind.SetTypeMeta(expected);
            Assert.Equal(expected, decoded.Object);
            Assert.Empty(decoded.Warnings);
            Assert.Equal(text, RestObjects.Encode(decoded.Object).ToJsonString());
        }
    }

    [Fact]
    public void Encode_SpecialValues_AreInKubernetesForm()
    {
        var secret = new Secret { Metadata = new() { Name = "s", Generation = 3 }, Data = { ["k"] = Google.Protobuf.ByteString.CopyFromUtf8("hi") } };
        var service = new Service
        {
            Metadata = new() { Name = "svc", CreationTimestamp = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(new DateTimeOffset(2024, 1, 2, 15, 4, 5, TimeSpan.Zero)) },
            Spec = new() { Ports = { new ServicePort { Port = 80, TargetPort = Google.Protobuf.WellKnownTypes.Value.ForString("http") }, new ServicePort { Port = 81, TargetPort = Google.Protobuf.WellKnownTypes.Value.ForNumber(8081) } } },
        };

        Assert.Equal("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","generation":3},"data":{"k":"aGk="}}""", RestObjects.Encode(secret).ToJsonString());
        var svc = RestObjects.Encode(service);
        Assert.Equal("2024-01-02T15:04:05Z", svc["metadata"]!["creationTimestamp"]!.GetValue<string>());
        Assert.Equal("""[{"port":80,"targetPort":"http"},{"port":81,"targetPort":8081}]""", svc["spec"]!["ports"]!.ToJsonString());
    }

    [Fact]
    public void Decode_ControllerRevisionData_IsFreeFormJson()
    {
        var body = JsonNode.Parse("""{"metadata":{"name":"ds-1"},"data":{"spec":{"template":{"$patch":"replace","spec":{"containers":[{"name":"c"}]}}}},"revision":2}""")!;

        var decoded = (ControllerRevision)RestObjects.Decode(ResourceKinds.ControllerRevision, body, UnknownFieldPolicy.Strict).Object;

        Assert.Equal(2, decoded.Revision);
        Assert.Equal("""{"spec":{"template":{"$patch":"replace","spec":{"containers":[{"name":"c"}]}}}}""", RestObjects.Encode(decoded)["data"]!.ToJsonString());
    }

    [Theory]
    [InlineData(UnknownFieldPolicy.Strict, true, 0)]
    [InlineData(UnknownFieldPolicy.Warn, false, 2)]
    [InlineData(UnknownFieldPolicy.Ignore, false, 0)]
    public void Decode_UnknownFields_FollowTheFieldValidationPolicy(UnknownFieldPolicy policy, bool refused, int warnings)
    {
        var body = JsonNode.Parse("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"foo":1,"template":{"spec":{"containers":[{"name":"c","bar":2}]}}}}""")!;

        if (refused)
        {
            var error = Assert.Throws<RestException>(() => RestObjects.Decode(ResourceKinds.Deployment, body, policy));
            Assert.Equal(
                "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.foo\", unknown field \"spec.template.spec.containers[0].bar\"",
                error.Message);
            return;
        }

        var decoded = RestObjects.Decode(ResourceKinds.Deployment, body, policy);
        Assert.Equal(warnings, decoded.Warnings.Count);
        Assert.Equal("c", ((Deployment)decoded.Object).Spec.Template.Spec.Containers[0].Name);
    }

    [Theory]
    [InlineData("""{"kind":"Pod","metadata":{"name":"d"}}""", "kind: Invalid value: \"Pod\"")]
    [InlineData("""{"metadata":{"name":"d"},"spec":{"replicas":"three"}}""", "spec.replicas: wrong type: expected an integer, got a string")]
    [InlineData("""[1,2]""", "the body must be a JSON object")]
    public void Decode_WrongShapes_AreBadRequestsNamingTheField(string body, string expected)
    {
        var error = Assert.Throws<RestException>(() => RestObjects.Decode(ResourceKinds.Deployment, JsonNode.Parse(body)!, UnknownFieldPolicy.Strict));

        Assert.Equal(400, error.Code);
        Assert.Contains(expected, error.Message);
    }
}
