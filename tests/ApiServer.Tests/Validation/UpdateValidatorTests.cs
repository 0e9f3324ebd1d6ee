using Google.Protobuf;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Batch.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Validation;
using static KubeMesh.ApiServer.Tests.Validation.Manifests;

namespace KubeMesh.ApiServer.Tests.Validation;

public sealed class UpdateValidatorTests
{
    [Fact]
    public void ValidateUpdate_DeploymentSelectorChanged_IsImmutable()
    {
        var old = Deployment();
        var updated = old.Clone();
        updated.Spec.Selector.MatchLabels["tier"] = "web";
        updated.Spec.Template.Metadata.Labels["tier"] = "web";

        AssertError(Update(updated, old), "spec.selector", "field is immutable");
    }

    [Fact]
    public void ValidateUpdate_DeploymentReplicasAndImage_AreAllowed()
    {
        var old = Deployment();
        var updated = old.Clone();
        updated.Spec.Replicas = 5;
        updated.Spec.Template.Spec.Containers[0].Image = "nginx:1.25";

        AssertValid(Update(updated, old));
    }

    [Fact]
    public void ValidateUpdate_NameOrUidChanged_IsImmutable()
    {
        var old = Deployment();
        old.Metadata.Uid = "u1";
        var updated = old.Clone();
        updated.Metadata.Name = "other";
        updated.Metadata.Uid = "u2";

        var errors = Update(updated, old);

        AssertError(errors, "metadata.name", "field is immutable");
        AssertError(errors, "metadata.uid", "field is immutable");
    }

    [Fact]
    public void ValidateUpdate_ServiceClusterIpChanged_IsImmutable()
    {
        var old = Defaulted<Service>("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {clusterIP: 10.96.0.10, ports: [{port: 80}]}\n");
        var updated = old.Clone();
        updated.Spec.ClusterIp = "10.96.0.11";

        AssertError(Update(updated, old), "spec.clusterIP", "field is immutable");
        updated.Spec.ClusterIp = old.Spec.ClusterIp;
        updated.Spec.Ports[0].Port = 8080;
        AssertValid(Update(updated, old));
    }

    [Fact]
    public void ValidateUpdate_JobTemplateChanged_IsImmutable()
    {
        var old = Defaulted<Job>("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}\n");
        var updated = old.Clone();
        updated.Spec.Template.Spec.Containers[0].Image = "alpine";

        AssertError(Update(updated, old), "spec.template", "field is immutable");
    }

    [Fact]
    public void ValidateUpdate_PodSpecBeyondImage_IsForbidden()
    {
        var old = Defaulted<Pod>(PodHeader + "\n  containers: [{name: c, image: nginx:1.14.2}]\n");
        var image = old.Clone();
        image.Spec.Containers[0].Image = "nginx:1.25";
        var bound = old.Clone();
        bound.Spec.NodeName = "node1";
        var env = old.Clone();
        env.Spec.Containers[0].Env.Add(new EnvVar { Name = "X", Value = "1" });

        AssertValid(Update(image, old));
        AssertValid(Update(bound, old));
        AssertError(Update(env, old), "spec", "pod updates may not change fields");
    }

    [Fact]
    public void ValidateUpdate_StatefulSetServiceNameChanged_IsForbidden()
    {
        var old = Defaulted<StatefulSet>("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec:\n  serviceName: a\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: nginx}]}\n");
        var updated = old.Clone();
        updated.Spec.ServiceName = "b";
        var scaled = old.Clone();
        scaled.Spec.Replicas = 0;

        AssertError(Update(updated, old), "spec", "updates to statefulset spec");
        AssertValid(Update(scaled, old));
    }

    [Fact]
    public void ValidateUpdate_ImmutableConfigMapData_IsForbidden()
    {
        var old = Defaulted<ConfigMap>("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nimmutable: true\ndata: {k: v}\n");
        var updated = old.Clone();
        updated.Data["k"] = "w";

        AssertError(Update(updated, old), "data", "field is immutable when `immutable` is set");
    }

    [Fact]
    public void ValidateUpdate_SecretTypeChanged_IsImmutable()
    {
        var old = Defaulted<Secret>("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {tls.crt: eA==, tls.key: eA==}\n");
        var updated = old.Clone();
        updated.Type = "kubernetes.io/tls";

        AssertError(Update(updated, old), "type", "field is immutable");
    }

    [Fact]
    public void ValidateUpdate_InvalidNewObject_ReportsCreateErrorsToo()
    {
        var old = Deployment();
        var updated = old.Clone();
        updated.Spec.Replicas = -1;

        AssertError(Update(updated, old), "spec.replicas", "greater than or equal to 0");
    }

    private static Deployment Deployment() =>
        Defaulted<Deployment>("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: nginx}]}\n");

    private static IReadOnlyList<Api.Serialization.FieldError> Update(IMessage updated, IMessage old) =>
        ObjectValidator.ValidateUpdate(ResourceKinds.For(updated.Descriptor), updated, old);
}
