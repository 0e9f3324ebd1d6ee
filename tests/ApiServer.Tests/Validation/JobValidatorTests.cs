using static KubeMesh.ApiServer.Tests.Validation.Manifests;

namespace KubeMesh.ApiServer.Tests.Validation;

public sealed class JobValidatorTests
{
    [Fact]
    public void ValidateCreate_JobWithoutRestartPolicy_RejectsDefaultAlways()
    {
        var errors = Errors("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template: {spec: {containers: [{name: c, image: busybox}]}}\n");

        AssertError(errors, "spec.template.spec.restartPolicy", "supported values: \"OnFailure\", \"Never\"");
    }

    [Fact]
    public void ValidateCreate_NegativeCounts_ReportEachField()
    {
        var errors = Errors("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  parallelism: -1\n  completions: -2\n  backoffLimit: -3\n  template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}\n");

        AssertError(errors, "spec.parallelism", "greater than or equal to 0");
        AssertError(errors, "spec.completions", "greater than or equal to 0");
        AssertError(errors, "spec.backoffLimit", "greater than or equal to 0");
    }

    [Fact]
    public void ValidateCreate_JobSelectorNotMatchingTemplate_IsInvalid()
    {
        var errors = Errors("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  manualSelector: true\n  selector: {matchLabels: {job: a}}\n  template:\n    metadata: {labels: {job: b}}\n    spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}\n");

        AssertError(errors, "spec.template.metadata.labels", "`selector` does not match");
    }

    [Theory]
    [InlineData("*/1 * * * *", true)]
    [InlineData("0 3 * * 1-5", true)]
    [InlineData("@hourly", true)]
    [InlineData("* * * *", false)]
    [InlineData("61 * * * *", false)]
    [InlineData("* * * * * *", false)]
    [InlineData("TZ=UTC 0 * * * *", false)]
    public void ValidateCreate_CronSchedule_ValidatedAsFiveFields(string schedule, bool valid)
    {
        var errors = Errors($"apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: c}}\nspec:\n  schedule: \"{schedule}\"\n  jobTemplate: {{spec: {{template: {{spec: {{restartPolicy: OnFailure, containers: [{{name: c, image: busybox}}]}}}}}}}}\n");

        if (valid)
        {
            AssertValid(errors);
        }
        else
        {
            AssertError(errors, "spec.schedule");
        }
    }

    [Fact]
    public void ValidateCreate_CronJobBadPolicyAndLongName_ReportsBoth()
    {
        var name = new string('c', 53);
        var errors = Errors($"apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: {name}}}\nspec:\n  schedule: \"@daily\"\n  concurrencyPolicy: Sometimes\n  jobTemplate: {{spec: {{template: {{spec: {{restartPolicy: Never, containers: [{{name: c, image: busybox}}]}}}}}}}}\n");

        AssertError(errors, "metadata.name", "no more than 52 characters");
        AssertError(errors, "spec.concurrencyPolicy", "Unsupported value");
    }

    [Fact]
    public void ValidateCreate_CronJobTemplate_IsValidatedWithItsPath()
    {
        var errors = Errors("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: \"@daily\"\n  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c}]}}}}\n");

        AssertError(errors, "spec.jobTemplate.spec.template.spec.containers[0].image", "Required value");
    }
}
