using System.Net;
using System.Text.Json;

namespace KubeMesh.Kubelet.Runtime;

/// <summary>
/// Gives each pod of this node one address of the node's range, like a host-local IPAM plugin. The
/// same pod keeps its address; a released address goes back to the pool (lowest free address first);
/// allocations survive a kubelet restart in a file of the state directory.
/// </summary>
public sealed class PodIpAllocator
{
    private readonly PodIpRange _range;
    private readonly string _stateFile;
    private readonly Dictionary<string, string> _byPod;
    private readonly Lock _lock = new();

    public PodIpAllocator(PodIpRange range, string stateDirectory)
    {
        _range = range;
        Directory.CreateDirectory(stateDirectory);
        _stateFile = Path.Combine(stateDirectory, "pod-ips.json");
        _byPod = File.Exists(_stateFile)
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(_stateFile)) ?? []
            : [];
    }

    public IPAddress Allocate(string podUid)
    {
        lock (_lock)
        {
            if (_byPod.TryGetValue(podUid, out var existing))
            {
                return IPAddress.Parse(existing);
            }

            var used = _byPod.Values.ToHashSet();
            var free = _range.PodAddresses().FirstOrDefault(a => !used.Contains(a.ToString()))
                ?? throw new InvalidOperationException($"no free pod IP left in {_range} ({used.Count} pods hold one)");
            _byPod[podUid] = free.ToString();
            Save();
            return free;
        }
    }

    public void Release(string podUid)
    {
        lock (_lock)
        {
            if (_byPod.Remove(podUid))
            {
                Save();
            }
        }
    }

    private void Save()
    {
        var temporary = _stateFile + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(_byPod));
        File.Move(temporary, _stateFile, overwrite: true);
    }
}
