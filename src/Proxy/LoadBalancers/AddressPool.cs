using System.Buffers.Binary;
using System.Globalization;
using System.Net;

namespace KubeMesh.Proxy.LoadBalancers;

/// <summary>An IPv4 CIDR of external addresses for LoadBalancer Services (without network and broadcast addresses).</summary>
public sealed class AddressPool
{
    private readonly uint _first;
    private readonly uint _count;

    public AddressPool(string cidr)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(cidr[..slash], out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || !int.TryParse(cidr[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var bits) || bits is < 8 or > 30)
        {
            throw new FormatException($"Proxy:LoadBalancerPool \"{cidr}\" is not an IPv4 CIDR with a prefix length between 8 and 30");
        }

        var mask = uint.MaxValue << (32 - bits);
        _first = (BinaryPrimitives.ReadUInt32BigEndian(ip.GetAddressBytes()) & mask) + 1;
        _count = ~mask - 1;
        Cidr = cidr;
    }

    public string Cidr { get; }

    public bool Contains(string address)
    {
        if (!IPAddress.TryParse(address, out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return false;
        }

        var value = BinaryPrimitives.ReadUInt32BigEndian(ip.GetAddressBytes());
        return value >= _first && value - _first < _count;
    }

    /// <summary>The lowest address not in <paramref name="used"/>, or null when the pool is exhausted.</summary>
    public string? FirstFree(IReadOnlySet<string> used)
    {
        Span<byte> bytes = stackalloc byte[4];
        for (uint i = 0; i < _count; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, _first + i);
            var candidate = new IPAddress(bytes).ToString();
            if (!used.Contains(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
