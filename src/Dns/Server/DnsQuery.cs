using System.Buffers.Binary;
using System.Text;

namespace KubeMesh.Dns.Server;

/// <summary>
/// The parts of a standard query the UDP fast path needs, read straight from the packet: one question,
/// its name in lower case, type, class, where the question ends, and whether it carries EDNS (OPT).
/// </summary>
public readonly record struct DnsQuery(ushort Id, bool RecursionDesired, string Name, ushort Type, ushort Class, int QuestionEnd, bool HasOpt)
{
    public const int HeaderLength = 12;

    /// <summary>False for anything but a plain query with one question (those take the general path).</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out DnsQuery query)
    {
        query = default;
        if (packet.Length < HeaderLength + 5)
        {
            return false;
        }

        var flags = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        var qdCount = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        var anCount = BinaryPrimitives.ReadUInt16BigEndian(packet[6..]);
        var nsCount = BinaryPrimitives.ReadUInt16BigEndian(packet[8..]);
        var arCount = BinaryPrimitives.ReadUInt16BigEndian(packet[10..]);
        // QR must be 0 and the opcode QUERY; at most one additional record (the OPT of EDNS).
        if ((flags & 0xF800) != 0 || qdCount != 1 || anCount != 0 || nsCount != 0 || arCount > 1)
        {
            return false;
        }

        var name = new StringBuilder(64);
        var offset = HeaderLength;
        while (true)
        {
            if (offset >= packet.Length)
            {
                return false;
            }

            int length = packet[offset++];
            if (length == 0)
            {
                break;
            }

            if (length > 63 || offset + length > packet.Length || name.Length + length > 253)
            {
                return false;
            }

            if (name.Length > 0)
            {
                name.Append('.');
            }

            foreach (var b in packet.Slice(offset, length))
            {
                name.Append((char)(b is >= (byte)'A' and <= (byte)'Z' ? b + 32 : b));
            }

            offset += length;
        }

        if (offset + 4 > packet.Length)
        {
            return false;
        }

        var type = BinaryPrimitives.ReadUInt16BigEndian(packet[offset..]);
        var @class = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]);
        var hasOpt = arCount == 1 && offset + 4 + 11 <= packet.Length && packet[offset + 4] == 0
            && BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 5)..]) == 41;
        if (arCount == 1 && !hasOpt)
        {
            return false;
        }

        query = new DnsQuery(BinaryPrimitives.ReadUInt16BigEndian(packet), (flags & 0x0100) != 0, name.ToString(), type, @class, offset + 4, hasOpt);
        return true;
    }

    /// <summary>The cache key: the same question always gets the same answer from one zone.</summary>
    public string CacheKey => $"{Type}/{Class}/{(HasOpt ? 1 : 0)}/{Name}";
}
