using static KubeMesh.ApiServer.Tests.Validation.Manifests;

namespace KubeMesh.ApiServer.Tests.Validation;

public sealed class WorkloadValidatorTests
{
    private const string Template = """
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: c, image: nginx}]}
        """;

    [Theory]
    [InlineData("ReplicaSet")]
    [InlineData("Deployment")]
    [InlineData("DaemonSet")]
    [InlineData("StatefulSet")]
    public void ValidateCreate_MissingSelector_IsRequired(string kind)
    {
        var errors = Errors($"apiVersion: apps/v1\nkind: {kind}\nmetadata: {{name: w}}\nspec:\n{Template}\n");

        AssertError(errors, "spec.selector", "Required value");
    }

    [Theory]
    [InlineData("ReplicaSet")]
    [InlineData("Deployment")]
    [InlineData("DaemonSet")]
    [InlineData("StatefulSet")]
    public void ValidateCreate_SelectorNotMatchingTemplate_IsInvalid(string kind)
    {
        var errors = Errors($"apiVersion: apps/v1\nkind: {kind}\nmetadata: {{name: w}}\nspec:\n  selector: {{matchLabels: {{app: api}}}}\n{Template}\n");

        AssertError(errors, "spec.template.metadata.labels", "`selector` does not match template `labels`");
    }

    [Fact]
    public void ValidateCreate_MatchExpressionsSelectingTemplate_IsValid()
    {
        var errors = Errors($"apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {{name: w}}\nspec:\n  selector: {{matchExpressions: [{{key: app, operator: In, values: [web, api]}}]}}\n{Template}\n");

        AssertValid(errors);
    }

    [Fact]
    public void ValidateCreate_EmptySelector_IsInvalid()
    {
        var errors = Errors($"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: w}}\nspec:\n  selector: {{}}\n{Template}\n");

        AssertError(errors, "spec.selector", "empty selector is invalid for deployment");
    }

    [Fact]
    public void ValidateCreate_TemplateRestartPolicyNotAlways_IsUnsupported()
    {
        var errors = Errors("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: w}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec: {restartPolicy: OnFailure, containers: [{name: c, image: nginx}]}
            """);

        AssertError(errors, "spec.template.spec.restartPolicy", "supported values: \"Always\"");
    }

    [Theory]
    [InlineData("{maxSurge: 0, maxUnavailable: 0}", "spec.strategy.rollingUpdate.maxUnavailable", "may not be 0 when `maxSurge` is 0")]
    [InlineData("{maxSurge: \"0%\", maxUnavailable: 0}", "spec.strategy.rollingUpdate.maxUnavailable", "may not be 0")]
    [InlineData("{maxSurge: 1, maxUnavailable: \"150%\"}", "spec.strategy.rollingUpdate.maxUnavailable", "must not be greater than 100%")]
    [InlineData("{maxSurge: \"lots\"}", "spec.strategy.rollingUpdate.maxSurge", "a valid percent string")]
    [InlineData("{maxSurge: -1}", "spec.strategy.rollingUpdate.maxSurge", "greater than or equal to 0")]
    public void ValidateCreate_BadRollingUpdate_ReportsField(string rolling, string path, string message)
    {
        var errors = Errors($"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: w}}\nspec:\n  selector: {{matchLabels: {{app: web}}}}\n  strategy: {{type: RollingUpdate, rollingUpdate: {rolling}}}\n{Template}\n");

        AssertError(errors, path, message);
    }

    [Fact]
    public void ValidateCreate_RecreateWithRollingUpdate_IsForbidden()
    {
        var errors = Errors($"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: w}}\nspec:\n  selector: {{matchLabels: {{app: web}}}}\n  strategy: {{type: Recreate, rollingUpdate: {{maxSurge: 1}}}}\n{Template}\n");

        AssertError(errors, "spec.strategy.rollingUpdate", "Forbidden");
    }

    [Fact]
    public void ValidateCreate_StatefulSetBadPolicyAndClaim_ReportsBoth()
    {
        var errors = Errors($$$"""
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: s}
            spec:
              podManagementPolicy: Random
              selector: {matchLabels: {app: web}}
              volumeClaimTemplates:
              - metadata: {name: data}
                spec: {accessModes: [ReadWriteSometimes]}
            {{{Template}}}
            """);

        AssertError(errors, "spec.podManagementPolicy", "Unsupported value");
        AssertError(errors, "spec.volumeClaimTemplates[0].spec.accessModes[0]", "Unsupported value");
        AssertError(errors, "spec.volumeClaimTemplates[0].spec.resources.requests[storage]", "Required value");
    }

    [Fact]
    public void ValidateCreate_DaemonSetOnDelete_IsValid()
    {
        AssertValid(Errors($"apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: d}}\nspec:\n  selector: {{matchLabels: {{app: web}}}}\n  updateStrategy: {{type: OnDelete}}\n{Template}\n"));
    }
}
