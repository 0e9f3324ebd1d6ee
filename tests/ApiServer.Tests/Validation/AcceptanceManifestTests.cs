using KubeMesh.Api.Serialization;
using KubeMesh.ApiServer.Validation;
using static KubeMesh.ApiServer.Tests.Validation.Manifests;

namespace KubeMesh.ApiServer.Tests.Validation;

public sealed class AcceptanceManifestTests
{
    [Theory]
    [MemberData(nameof(TestManifests.Seed), MemberType = typeof(TestManifests))]
    public void ValidateCreate_SeedManifestAfterDefaulting_HasNoErrors(string file)
    {
        var objects = ManifestDecoder.Decode(TestManifests.Read("seed", file));

        Assert.NotEmpty(objects);
        foreach (var obj in objects)
        {
            ObjectDefaulter.Apply(obj.Kind, obj.Object);
            AssertValid(ObjectValidator.ValidateCreate(obj.Kind, obj.Object));
        }
    }

    [Theory]
    [MemberData(nameof(TestManifests.Malformed), MemberType = typeof(TestManifests))]
    public void DecodeAndValidate_MalformedManifest_IsRefused(string file)
    {
        Assert.NotEmpty(Refuse(file));
    }

    [Fact]
    public void ValidateCreate_BadNamesAndValues_ReportsEveryMistake()
    {
        var errors = Refuse("bad-names-and-values.yaml");

        AssertError(errors, "metadata.name", "RFC 1123 subdomain");
        AssertError(errors, "spec.replicas", "must be greater than or equal to 0");
        AssertError(errors, "spec.template.metadata.labels", "`selector` does not match template `labels`");
        AssertError(errors, "spec.template.spec.containers[0].resources.limits[memory]", Api.Quantities.Quantity.FormatError);
    }

    [Fact]
    public void Decode_DownwardVolumeMisindented_NamesSpecDownwardApi()
    {
        AssertError(Refuse("downward-volume-misindented.yaml"), "spec.downwardAPI", "unknown field");
    }

    [Fact]
    public void Decode_EnvFromWrongShape_NamesEnvFromName()
    {
        AssertError(Refuse("envfrom-wrong-shape.yaml"), "spec.containers[0].envFrom[0].name", "unknown field");
    }

    [Fact]
    public void Decode_JobBackoffLimitMisplaced_PointsAtSpecBackoffLimit()
    {
        AssertError(Refuse("job-backofflimit-misplaced.yaml"), "spec.template.backoffLimit", "spec.backoffLimit");
    }

    /// <summary>Runs the api-server's pipeline and returns why it refused the manifest.</summary>
    private static IReadOnlyList<FieldError> Refuse(string file)
    {
        IReadOnlyList<ManifestObject> objects;
        try
        {
            objects = ManifestDecoder.Decode(TestManifests.Read("malformed", file));
        }
        catch (ManifestException e)
        {
            return e.Errors;
        }

        var errors = new List<FieldError>();
        foreach (var obj in objects)
        {
            ObjectDefaulter.Apply(obj.Kind, obj.Object);
            errors.AddRange(ObjectValidator.ValidateCreate(obj.Kind, obj.Object));
        }

        return errors;
    }
}
