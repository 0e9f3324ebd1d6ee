using System.Buffers.Binary;
using System.Net;

namespace KubeMesh.Kubelet.Runtime;

/// <summary>
/// A node's pod range (its podCIDR), always inside 127.0.0.0/8 so every address is bindable on Linux
/// without setup. The network address, the first address (kept for the node, as a bridge would be) and
/// the broadcast address are never given to pods.
/// </summary>
public sealed record PodIpRange(IPAddress Network, int PrefixLength)
{
    /// <summary>The default range of the node with the given ordinal: node 1 gets 127.10.1.0/24.</summary>
    public static PodIpRange ForNode(int ordinal) =>
        ordinal is >= 0 and <= 255 ? Parse($"127.10.{ordinal}.0/24") : throw new ArgumentOutOfRangeException(nameof(ordinal));

    public static PodIpRange Parse(string cidr)
    {
        if (!IPNetwork.TryParse(cidr, out var network) || network.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            throw new FormatException($"podCIDR: Invalid value: \"{cidr}\": must be an IPv4 CIDR such as 127.10.1.0/24");
        }

        if (network.BaseAddress.GetAddressBytes()[0] != 127 || network.PrefixLength is < 8 or > 30)
        {
            throw new FormatException($"podCIDR: Invalid value: \"{cidr}\": must lie inside 127.0.0.0/8 with a prefix of 8 to 30");
        }

        return new PodIpRange(network.BaseAddress, network.PrefixLength);
    }

    public IEnumerable<IPAddress> PodAddresses()
    {
        var first = ToUInt(Network);
        var size = 1u << (32 - PrefixLength);
        for (var offset = 2u; offset < size - 1; offset++)
        {
            yield return FromUInt(first + offset);
        }
    }

    public override string ToString() => $"{Network}/{PrefixLength}";

    private static uint ToUInt(IPAddress address) => BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());

    private static IPAddress FromUInt(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}
