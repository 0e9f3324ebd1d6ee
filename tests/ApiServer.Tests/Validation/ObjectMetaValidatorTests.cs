using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Validation;
using static KubeMesh.ApiServer.Tests.Validation.Manifests;

namespace KubeMesh.ApiServer.Tests.Validation;

public sealed class ObjectMetaValidatorTests
{
    [Fact]
    public void ValidateCreate_ServiceNameWithDot_IsNotALabel()
    {
        var errors = Errors("apiVersion: v1\nkind: Service\nmetadata: {name: my.svc}\nspec: {ports: [{port: 80}]}\n");

        AssertError(errors, "metadata.name", "RFC 1123 label");
    }

    [Fact]
    public void ValidateCreate_ConfigMapNameWithDot_IsValidSubdomain()
    {
        AssertValid(Errors("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: my.config}\n"));
    }

    [Fact]
    public void ValidateCreate_ClusterScopedKindWithNamespace_IsForbidden()
    {
        var node = new Node { Metadata = new ObjectMeta { Name = "node1", Namespace = "default" } };

        AssertError(ObjectValidator.ValidateCreate(ResourceKinds.Node, node), "metadata.namespace", "Forbidden");
    }

    [Fact]
    public void ValidateCreate_BadLabelsAndAnnotations_NameKeyAndValue()
    {
        var errors = Errors("""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: c
              namespace: Bad_NS
              labels: {"bad key!": ok, good: "bad value!"}
              annotations: {"-x": y}
            """);

        AssertError(errors, "metadata.labels", "\"bad key!\"");
        AssertError(errors, "metadata.labels[good]", "valid label");
        AssertError(errors, "metadata.annotations", "\"-x\"");
        AssertError(errors, "metadata.namespace");
    }

    [Fact]
    public void ValidateCreate_GenerateNameWithTrailingDash_IsValid()
    {
        var pod = Defaulted<Pod>("apiVersion: v1\nkind: Pod\nmetadata: {generateName: web-}\nspec: {containers: [{name: c, image: nginx}]}\n");

        AssertValid(Validate(pod));
    }

    [Fact]
    public void ValidateCreate_TwoControllerOwners_IsInvalid()
    {
        var map = new ConfigMap
        {
            Metadata = new ObjectMeta
            {
                Name = "c",
                OwnerReferences =
                {
                    new OwnerReference { ApiVersion = "v1", Kind = "Pod", Name = "a", Uid = "1", Controller = true },
                    new OwnerReference { ApiVersion = "v1", Kind = "Pod", Name = "b", Uid = "2", Controller = true },
                },
            },
        };

        AssertError(Validate(map), "metadata.ownerReferences", "Only one reference");
    }
}
