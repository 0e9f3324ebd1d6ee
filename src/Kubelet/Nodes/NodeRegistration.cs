using KubeMesh.Api.Core.V1;

namespace KubeMesh.Kubelet.Nodes;

/// <summary>Completes once this kubelet's Node exists, so the lease can name it as its owner.</summary>
public sealed class NodeRegistration
{
    private readonly TaskCompletionSource<Node> _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<Node> Registered => _registered.Task;

    internal void Complete(Node node) => _registered.TrySetResult(node);
}
