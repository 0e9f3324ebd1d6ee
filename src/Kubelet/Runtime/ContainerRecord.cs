using System.Text.Json;

namespace KubeMesh.Kubelet.Runtime;

/// <summary>
/// A started container as remembered in the kubelet's state directory, so a kubelet that restarts
/// after a crash finds processes of its earlier run (if any escaped PR_SET_PDEATHSIG) and kills them.
/// The start time tells a live container from an unrelated process that reused the PID.
/// </summary>
internal sealed record ContainerRecord(string Id, int Pid, long StartTime)
{
    public static string DirectoryIn(string stateDirectory) => Path.Combine(stateDirectory, "containers");

    public void Save(string stateDirectory) =>
        File.WriteAllText(Path.Combine(DirectoryIn(stateDirectory), Id + ".json"), JsonSerializer.Serialize(this));

    public static void Delete(string stateDirectory, string id)
    {
        File.Delete(Path.Combine(DirectoryIn(stateDirectory), id + ".json"));
        try
        {
            Directory.Delete(Path.Combine(DirectoryIn(stateDirectory), id), recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone: the runtime that started the container and a restarted one both clean up after it.
        }
    }

    public static IEnumerable<ContainerRecord> LoadAll(string stateDirectory)
    {
        var directory = DirectoryIn(stateDirectory);
        if (!Directory.Exists(directory))
        {
            yield break;
        }

        foreach (var file in Directory.EnumerateFiles(directory, "*.json"))
        {
            ContainerRecord? record = null;
            try
            {
                record = JsonSerializer.Deserialize<ContainerRecord>(File.ReadAllText(file));
            }
            catch (JsonException)
            {
                File.Delete(file);
            }

            if (record is not null)
            {
                yield return record;
            }
        }
    }
}
