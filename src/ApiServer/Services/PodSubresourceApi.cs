using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ApiServer.Registry;

namespace KubeMesh.ApiServer.Services;

/// <summary>pods/binding, pods/log and pods/exec: the pod verbs beyond the generic ones.</summary>
public sealed class PodSubresourceApi(ResourceRegistry registry, KubeletProxy kubelets, TimeProvider clock)
{
    /// <summary>Sets spec.nodeName once (a second bind is a conflict, as in Kubernetes) and the PodScheduled condition.</summary>
    public async Task<IMessage> BindAsync(Binding binding)
    {
        var kind = ResourceKinds.Pod;
        var name = binding.Metadata?.Name ?? "";
        if (binding.Target is null || string.IsNullOrEmpty(binding.Target.Name))
        {
            throw ApiErrors.BadRequest("target.name: Required value: the node to bind to");
        }

        if (!string.IsNullOrEmpty(binding.Target.Kind) && binding.Target.Kind != "Node")
        {
            throw ApiErrors.BadRequest($"target.kind: Unsupported value: \"{binding.Target.Kind}\": supported values: \"Node\"");
        }

        while (true)
        {
            var read = await registry.ReadAsync(kind, binding.Metadata?.Namespace, name);
            var pod = (Pod)read.Object.Clone();
            if (!string.IsNullOrEmpty(pod.Spec.NodeName))
            {
                throw ApiErrors.Conflict(kind, name, $"pod {name} is already assigned to node \"{pod.Spec.NodeName}\"");
            }

            if (pod.Metadata.DeletionTimestamp is not null)
            {
                throw ApiErrors.Conflict(kind, name, "pod is being deleted, cannot be assigned to a host");
            }

            pod.Spec.NodeName = binding.Target.Name;
            pod.Status ??= new PodStatus();
            // RepeatedField.Remove throws on null, so only remove a condition that is there.
            if (pod.Status.Conditions.FirstOrDefault(c => c.Type == "PodScheduled") is { } scheduled)
            {
                pod.Status.Conditions.Remove(scheduled);
            }

            pod.Status.Conditions.Add(new Condition { Type = "PodScheduled", Status = "True", LastTransitionTime = Timestamp.FromDateTimeOffset(clock.GetUtcNow()) });
            try
            {
                return await registry.BindAsync(pod, read);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Aborted && string.IsNullOrEmpty(binding.Metadata?.ResourceVersion))
            {
                // Someone else wrote the pod between read and write; bind against the fresh copy.
            }
        }
    }

    public Task GetLogsAsync(PodLogRequest request, IServerStreamWriter<IMessage> stream, ServerCallContext context) =>
        kubelets.StreamLogsAsync(request, stream, context);

    public Task ExecAsync(PodExecRequest request, IServerStreamWriter<IMessage> stream, ServerCallContext context) =>
        kubelets.ExecAsync(request, stream, context);
}
