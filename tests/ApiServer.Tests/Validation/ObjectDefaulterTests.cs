using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Batch.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.ApiServer.Validation;
using static KubeMesh.ApiServer.Tests.Validation.Manifests;

namespace KubeMesh.ApiServer.Tests.Validation;

public sealed class ObjectDefaulterTests
{
    [Fact]
    public void Apply_Pod_FillsKubernetesPodDefaults()
    {
        var pod = Defaulted<Pod>(PodHeader + """

              containers:
              - name: web
                image: nginx:1.14.2
                ports: [{containerPort: 80}]
                resources: {limits: {cpu: 500m}}
                livenessProbe: {httpGet: {port: 80}}
              - name: latest
                image: registry.local:5000/team/app
            """);

        Assert.Equal("Always", pod.Spec.RestartPolicy);
        Assert.Equal("ClusterFirst", pod.Spec.DnsPolicy);
        Assert.Equal(30, pod.Spec.TerminationGracePeriodSeconds);
        Assert.Equal("default-scheduler", pod.Spec.SchedulerName);
        var web = pod.Spec.Containers[0];
        Assert.Equal("TCP", web.Ports[0].Protocol);
        Assert.Equal("IfNotPresent", web.ImagePullPolicy);
        Assert.Equal("/dev/termination-log", web.TerminationMessagePath);
        Assert.Equal("500m", web.Resources.Requests["cpu"]);
        Assert.Equal((1, 10, 1, 3), (web.LivenessProbe.TimeoutSeconds, web.LivenessProbe.PeriodSeconds, web.LivenessProbe.SuccessThreshold, web.LivenessProbe.FailureThreshold));
        Assert.Equal(("/", "HTTP"), (web.LivenessProbe.HttpGet.Path, web.LivenessProbe.HttpGet.Scheme));
        Assert.Equal("Always", pod.Spec.Containers[1].ImagePullPolicy);
    }

    [Theory]
    [InlineData("nginx", "Always")]
    [InlineData("nginx:latest", "Always")]
    [InlineData("nginx:1.25", "IfNotPresent")]
    [InlineData("localhost:5000/nginx", "Always")]
    [InlineData("nginx@sha256:abc", "IfNotPresent")]
    public void PullPolicyFor_Image_FollowsTag(string image, string expected)
    {
        Assert.Equal(expected, PodSpecDefaulter.PullPolicyFor(image));
    }

    [Fact]
    public void Apply_ExplicitValues_AreKept()
    {
        var pod = Defaulted<Pod>(PodHeader + """

              restartPolicy: Never
              terminationGracePeriodSeconds: 0
              containers: [{name: c, image: busybox, imagePullPolicy: Never}]
            """);

        Assert.Equal("Never", pod.Spec.RestartPolicy);
        Assert.Equal(0, pod.Spec.TerminationGracePeriodSeconds);
        Assert.Equal("Never", pod.Spec.Containers[0].ImagePullPolicy);
    }

    [Fact]
    public void Apply_Service_DefaultsTypeAffinityProtocolAndTargetPort()
    {
        var service = Defaulted<Service>("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 8080}]\n");

        Assert.Equal("ClusterIP", service.Spec.Type);
        Assert.Equal("None", service.Spec.SessionAffinity);
        Assert.Equal("TCP", service.Spec.Ports[0].Protocol);
        Assert.Equal(8080, service.Spec.Ports[0].TargetPort.NumberValue);
    }

    [Fact]
    public void Apply_Deployment_DefaultsStrategyAndLimits()
    {
        var deployment = Defaulted<Deployment>("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {}\n");

        Assert.Equal(1, deployment.Spec.Replicas);
        Assert.Equal("RollingUpdate", deployment.Spec.Strategy.Type);
        Assert.Equal("25%", deployment.Spec.Strategy.RollingUpdate.MaxSurge.StringValue);
        Assert.Equal("25%", deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.StringValue);
        Assert.Equal(10, deployment.Spec.RevisionHistoryLimit);
        Assert.Equal(600, deployment.Spec.ProgressDeadlineSeconds);
        Assert.Null(deployment.Spec.Selector);
    }

    [Fact]
    public void Apply_RecreateDeployment_HasNoRollingUpdate()
    {
        var deployment = Defaulted<Deployment>("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {strategy: {type: Recreate}}\n");

        Assert.Null(deployment.Spec.Strategy.RollingUpdate);
    }

    [Fact]
    public void Apply_DaemonSetAndStatefulSet_DefaultUpdateStrategies()
    {
        var daemonSet = Defaulted<DaemonSet>("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\nspec: {}\n");
        var statefulSet = Defaulted<StatefulSet>("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec: {}\n");

        Assert.Equal("RollingUpdate", daemonSet.Spec.UpdateStrategy.Type);
        Assert.Equal(1, daemonSet.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable.NumberValue);
        Assert.Equal("OrderedReady", statefulSet.Spec.PodManagementPolicy);
        Assert.Equal("RollingUpdate", statefulSet.Spec.UpdateStrategy.Type);
        Assert.Equal(0, statefulSet.Spec.UpdateStrategy.RollingUpdate.Partition);
        Assert.Equal(1, statefulSet.Spec.Replicas);
    }

    [Fact]
    public void Apply_JobAndCronJob_DefaultCountsAndPolicies()
    {
        var job = Defaulted<Job>("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec: {backoffLimit: 2}\n");
        var cronJob = Defaulted<CronJob>("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec: {jobTemplate: {spec: {}}}\n");

        Assert.Equal((1, 1, 2), (job.Spec.Parallelism, job.Spec.Completions, job.Spec.BackoffLimit));
        Assert.Equal("NonIndexed", job.Spec.CompletionMode);
        Assert.Equal("Allow", cronJob.Spec.ConcurrencyPolicy);
        Assert.False(cronJob.Spec.Suspend);
        Assert.True(cronJob.Spec.HasSuspend);
        Assert.Equal((3, 1), (cronJob.Spec.SuccessfulJobsHistoryLimit, cronJob.Spec.FailedJobsHistoryLimit));
        Assert.Equal(6, cronJob.Spec.JobTemplate.Spec.BackoffLimit);
    }

    [Fact]
    public void Apply_Secret_DefaultsTypeAndMergesStringData()
    {
        var secret = Defaulted<Secret>("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {user: admin}\n");

        Assert.Equal("Opaque", secret.Type);
        Assert.Equal("admin", secret.Data["user"].ToStringUtf8());
        Assert.Empty(secret.StringData);
    }
}
