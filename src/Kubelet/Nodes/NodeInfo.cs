using System.Globalization;
using System.Runtime.InteropServices;
using KubeMesh.Api.Core.V1;

namespace KubeMesh.Kubelet.Nodes;

/// <summary>What the kubelet reports about the machine: system info and capacity, read once from /proc and /etc.</summary>
public static class NodeInfo
{
    public const string KubeletVersion = "v1.30.0-kubemesh";
    public const string ContainerRuntimeVersion = "kubemesh://0.1.0";

    /// <summary>GOARCH-style names, as kubernetes.io/arch and nodeInfo.architecture use.</summary>
    public static string Architecture => RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        var other => other.ToString().ToLowerInvariant(),
    };

    // Read once per process, as the kubelet takes the machine's facts from cAdvisor's machine info at start: a node
    // status is built every NodeStatusUpdateFrequency, and 1,000 hollow nodes in one process would otherwise read
    // these files a hundred times a second.
    private static readonly Lazy<NodeSystemInfo> Machine = new(() => new NodeSystemInfo
    {
        MachineId = ReadOrEmpty("/etc/machine-id").Trim(),
        KernelVersion = ReadOrEmpty("/proc/sys/kernel/osrelease").Trim(),
        OsImage = OsImage(),
        ContainerRuntimeVersion = ContainerRuntimeVersion,
        KubeletVersion = KubeletVersion,
        OperatingSystem = "linux",
        Architecture = Architecture,
    });

    private static readonly Lazy<string> MemTotal = new(ReadMachineMemory);

    /// <summary>The machine's system info, a copy the caller may change.</summary>
    public static NodeSystemInfo SystemInfo() => Machine.Value.Clone();

    /// <summary>MemTotal of /proc/meminfo as a quantity in Ki, as cAdvisor reports it.</summary>
    public static string MachineMemory() => MemTotal.Value;

    private static string ReadMachineMemory()
    {
        var line = ReadOrEmpty("/proc/meminfo").Split('\n').FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var kib = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1);
        return long.TryParse(kib, CultureInfo.InvariantCulture, out var value) ? value + "Ki" : "0";
    }

    private static string OsImage()
    {
        var pretty = ReadOrEmpty("/etc/os-release").Split('\n').FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
        return pretty is null ? "Linux" : pretty["PRETTY_NAME=".Length..].Trim('"');
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }
}
