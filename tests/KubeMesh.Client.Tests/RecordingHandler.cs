using KubeMesh.Api.Core.V1;

namespace KubeMesh.Client.Tests;

/// <summary>Records handler calls as "add ns/name@rv", "update ns/name@old->new", "delete ns/name@rv".</summary>
internal sealed class RecordingHandler : IResourceEventHandler<Pod>
{
    private readonly Lock _lock = new();
    private readonly List<string> _calls = [];

    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    public void OnAdd(Pod obj) => Record($"add {Key(obj)}@{obj.Metadata.ResourceVersion}");

    public void OnUpdate(Pod oldObj, Pod newObj) =>
        Record($"update {Key(newObj)}@{oldObj.Metadata.ResourceVersion}->{newObj.Metadata.ResourceVersion}");

    public void OnDelete(Pod obj) => Record($"delete {Key(obj)}@{obj.Metadata.ResourceVersion}");

    public void Clear()
    {
        lock (_lock)
        {
            _calls.Clear();
        }
    }

    private static string Key(Pod pod) => MetaNamespaceKey.For(pod.Metadata);

    private void Record(string call)
    {
        lock (_lock)
        {
            _calls.Add(call);
        }
    }
}
