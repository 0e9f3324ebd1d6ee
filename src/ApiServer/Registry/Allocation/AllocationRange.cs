using System.Buffers.Binary;
using System.Globalization;
using System.Net;

namespace KubeMesh.ApiServer.Registry.Allocation;

/// <summary>
/// A contiguous run of allocatable items (IPv4 addresses of a CIDR without its network and broadcast
/// address, or ports), numbered by offset so one allocator serves both.
/// </summary>
public sealed class AllocationRange
{
    private readonly uint _first;
    private readonly bool _addresses;

    private AllocationRange(uint first, int size, bool addresses, string text)
    {
        _first = first;
        Size = size;
        _addresses = addresses;
        Text = text;
    }

    public int Size { get; }

    /// <summary>The first item as a number (an address as a 32-bit integer, or a port).</summary>
    public long First => _first;

    public bool IsAddressRange => _addresses;

    /// <summary>The range as the operator wrote it, for error messages.</summary>
    public string Text { get; }

    /// <summary>The usable addresses of an IPv4 CIDR inside 127.0.0.0/8, e.g. 127.96.0.0/16.</summary>
    public static AllocationRange ParseCidr(string cidr)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(cidr[..slash], out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || !int.TryParse(cidr[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var bits) || bits is < 8 or > 30)
        {
            throw new FormatException($"\"{cidr}\" is not an IPv4 CIDR with a prefix length between 8 and 30");
        }

        var mask = uint.MaxValue << (32 - bits);
        var network = BinaryPrimitives.ReadUInt32BigEndian(ip.GetAddressBytes()) & mask;
        if (network >> 24 != 127)
        {
            throw new FormatException($"\"{cidr}\" is outside 127.0.0.0/8: service addresses must be bindable on this machine");
        }

        var size = (int)Math.Min(~mask - 1, 1u << 20);
        return new AllocationRange(network + 1, size, addresses: true, $"{ToAddress(network)}/{bits}");
    }

    /// <summary>An inclusive port range "first-last", e.g. 30000-32767.</summary>
    public static AllocationRange ParsePorts(string range)
    {
        var parts = range.Split('-');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var last)
            || first < 1 || last > 65535 || last < first)
        {
            throw new FormatException($"\"{range}\" is not a port range \"first-last\" within 1-65535");
        }

        return new AllocationRange((uint)first, last - first + 1, addresses: false, range);
    }

    /// <summary>The item's offset in the range, or null when it is not in it.</summary>
    public int? OffsetOf(string item)
    {
        uint value;
        if (_addresses)
        {
            if (!IPAddress.TryParse(item, out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            {
                return null;
            }

            value = BinaryPrimitives.ReadUInt32BigEndian(ip.GetAddressBytes());
        }
        else if (!uint.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            return null;
        }

        return value >= _first && value - _first < (uint)Size ? (int)(value - _first) : null;
    }

    public bool Contains(string item) => OffsetOf(item) is not null;

    public string ItemAt(int offset) =>
        _addresses ? ToAddress(_first + (uint)offset) : (_first + (uint)offset).ToString(CultureInfo.InvariantCulture);

    private static string ToAddress(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes).ToString();
    }
}
