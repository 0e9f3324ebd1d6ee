using static KubeMesh.ApiServer.Tests.Validation.Manifests;

namespace KubeMesh.ApiServer.Tests.Validation;

public sealed class PodSpecValidatorTests
{
    [Fact]
    public void ValidateCreate_NoContainers_IsRequired()
    {
        AssertError(Errors(PodHeader + " {}\n"), "spec.containers", "Required value");
    }

    [Fact]
    public void ValidateCreate_ContainerWithoutNameOrImage_ReportsBoth()
    {
        var errors = Errors(PodHeader + "\n  containers: [{ports: [{containerPort: 80}]}]\n");

        AssertError(errors, "spec.containers[0].name", "Required value");
        AssertError(errors, "spec.containers[0].image", "Required value");
    }

    [Fact]
    public void ValidateCreate_DuplicateContainerNames_IsDuplicate()
    {
        var errors = Errors(PodHeader + "\n  initContainers: [{name: c, image: busybox}]\n  containers: [{name: c, image: nginx}]\n");

        AssertError(errors, "spec.containers[0].name", "Duplicate value");
    }

    [Theory]
    [InlineData("restartPolicy: Sometimes", "spec.restartPolicy")]
    [InlineData("dnsPolicy: Custom", "spec.dnsPolicy")]
    public void ValidateCreate_UnsupportedEnum_ListsSupportedValues(string field, string path)
    {
        var errors = Errors(PodHeader + $"\n  {field}\n  containers: [{{name: c, image: nginx}}]\n");

        AssertError(errors, path, "Unsupported value");
    }

    [Theory]
    [InlineData("containerPort: 0", "spec.containers[0].ports[0].containerPort", "Required value")]
    [InlineData("containerPort: 70000", "spec.containers[0].ports[0].containerPort", "between 1 and 65535")]
    [InlineData("{containerPort: 80, protocol: HTTP}", "spec.containers[0].ports[0].protocol", "Unsupported value")]
    [InlineData("{containerPort: 80, name: Web_Port}", "spec.containers[0].ports[0].name", "alpha-numeric")]
    public void ValidateCreate_BadContainerPort_ReportsPath(string port, string path, string message)
    {
        var errors = Errors(PodHeader + $"\n  containers:\n  - name: c\n    image: nginx\n    ports:\n    - {port}\n");

        AssertError(errors, path, message);
    }

    [Fact]
    public void ValidateCreate_VolumeWithoutSource_MustSpecifyVolumeType()
    {
        var errors = Errors(PodHeader + "\n  containers: [{name: c, image: nginx}]\n  volumes: [{name: podinfo}]\n");

        AssertError(errors, "spec.volumes[0]", "must specify a volume type");
    }

    [Fact]
    public void ValidateCreate_VolumeWithTwoSources_IsForbidden()
    {
        var errors = Errors(PodHeader + "\n  containers: [{name: c, image: nginx}]\n  volumes: [{name: v, emptyDir: {}, hostPath: {path: /tmp}}]\n");

        AssertError(errors, "spec.volumes[0].emptyDir", "may not specify more than 1 volume type");
    }

    [Fact]
    public void ValidateCreate_DownwardItemWithoutFieldRef_IsRequired()
    {
        var errors = Errors(PodHeader + "\n  containers: [{name: c, image: nginx}]\n  volumes: [{name: v, downwardAPI: {items: [{path: labels}]}}]\n");

        AssertError(errors, "spec.volumes[0].downwardAPI.items[0]", "fieldRef");
    }

    [Fact]
    public void ValidateCreate_DownwardVolumeFieldPathNotAllowedForFiles_IsUnsupported()
    {
        var errors = Errors(PodHeader + "\n  containers: [{name: c, image: nginx}]\n  volumes: [{name: v, downwardAPI: {items: [{path: ip, fieldRef: {fieldPath: status.podIP}}]}}]\n");

        AssertError(errors, "spec.volumes[0].downwardAPI.items[0].fieldRef.fieldPath", "Unsupported value");
    }

    [Fact]
    public void ValidateCreate_VolumeMountOfUnknownVolume_IsNotFound()
    {
        var errors = Errors(PodHeader + "\n  containers: [{name: c, image: nginx, volumeMounts: [{name: data, mountPath: /data}]}]\n");

        AssertError(errors, "spec.containers[0].volumeMounts[0].name", "Not found");
    }

    [Fact]
    public void ValidateCreate_EnvFromWithoutSource_IsRequired()
    {
        var errors = Errors(PodHeader + "\n  containers: [{name: c, image: nginx, envFrom: [{prefix: APP_}]}]\n");

        AssertError(errors, "spec.containers[0].envFrom[0]", "configMapRef");
    }

    [Fact]
    public void ValidateCreate_EnvValueFromTwoSources_IsInvalid()
    {
        var errors = Errors(PodHeader + """

              containers:
              - name: c
                image: nginx
                env:
                - name: X
                  valueFrom:
                    fieldRef: {fieldPath: metadata.name}
                    secretKeyRef: {name: s, key: k}
            """);

        AssertError(errors, "spec.containers[0].env[0].valueFrom", "more than one field");
    }

    [Theory]
    [InlineData("spec.nodeName", true)]
    [InlineData("status.podIP", true)]
    [InlineData("metadata.labels['app']", true)]
    [InlineData("metadata.labels", false)]
    [InlineData("spec.containers", false)]
    public void ValidateCreate_EnvFieldRefPath_OnlyKubernetesPaths(string fieldPath, bool valid)
    {
        var errors = Errors(PodHeader + $"\n  containers:\n  - name: c\n    image: nginx\n    env:\n    - name: X\n      valueFrom: {{fieldRef: {{fieldPath: \"{fieldPath}\"}}}}\n");

        if (valid)
        {
            AssertValid(errors);
        }
        else
        {
            AssertError(errors, "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath", "Unsupported value");
        }
    }

    [Fact]
    public void ValidateCreate_BadQuantityAndRequestOverLimit_ReportsResourceKeys()
    {
        var errors = Errors(PodHeader + """

              containers:
              - name: c
                image: nginx
                resources:
                  limits: {memory: 12 parsecs, cpu: 500m}
                  requests: {cpu: "1"}
            """);

        AssertError(errors, "spec.containers[0].resources.limits[memory]", "quantities must match");
        AssertError(errors, "spec.containers[0].resources.requests[cpu]", "must be less than or equal to cpu limit of 500m");
    }

    [Fact]
    public void ValidateCreate_ProbeWithoutHandler_MustSpecifyHandler()
    {
        var errors = Errors(PodHeader + "\n  containers: [{name: c, image: nginx, livenessProbe: {periodSeconds: 5}}]\n");

        AssertError(errors, "spec.containers[0].livenessProbe", "handler type");
    }

    [Fact]
    public void ValidateCreate_LivenessSuccessThresholdAboveOne_MustBeOne()
    {
        var errors = Errors(PodHeader + "\n  containers: [{name: c, image: nginx, livenessProbe: {tcpSocket: {port: 80}, successThreshold: 2}}]\n");

        AssertError(errors, "spec.containers[0].livenessProbe.successThreshold", "must be 1");
    }

    [Fact]
    public void ValidateCreate_ProbeOnInitContainer_IsForbidden()
    {
        var errors = Errors(PodHeader + "\n  initContainers: [{name: i, image: busybox, readinessProbe: {exec: {command: [true]}}}]\n  containers: [{name: c, image: nginx}]\n");

        AssertError(errors, "spec.initContainers[0].readinessProbe", "Forbidden");
    }

    [Fact]
    public void ValidateCreate_TolerationExistsWithValue_IsInvalid()
    {
        var errors = Errors(PodHeader + "\n  containers: [{name: c, image: nginx}]\n  tolerations: [{key: k, operator: Exists, value: v, effect: Never}]\n");

        AssertError(errors, "spec.tolerations[0].operator", "value must be empty");
        AssertError(errors, "spec.tolerations[0].effect", "Unsupported value");
    }
}
