using KubeMesh.Api.Core.V1;

namespace KubeMesh.Scheduler.Framework;

/// <summary>Commits a decision (kube-scheduler's BindPlugin), normally by creating a Binding in the api-server.</summary>
public interface IBindPlugin : IPlugin
{
    Task<Status> BindAsync(CycleState state, Pod pod, string nodeName, CancellationToken cancellationToken);
}
