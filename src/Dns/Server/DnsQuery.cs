using System.Buffers.Binary;

namespace KubeMesh.Dns.Server;

/// <summary>
/// The parts of a standard query the UDP fast path needs, read straight from the packet without allocating:
/// one question, its type and class, where the question ends, and whether it carries EDNS (OPT).
/// </summary>
public readonly record struct DnsQuery(ushort Id, bool RecursionDesired, ushort Type, ushort Class, int QuestionEnd, bool HasOpt)
{
    public const int HeaderLength = 12;

    /// <summary>Longest cache key: the question's wire bytes (name up to 255, type, class) and the EDNS flag.</summary>
    public const int MaxCacheKeyLength = 255 + 4 + 1;

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

            // No compression pointers in a question; a name is at most 255 bytes on the wire.
            if (length > 63 || offset + length > packet.Length || offset + length - HeaderLength > 254)
            {
                return false;
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

        query = new DnsQuery(BinaryPrimitives.ReadUInt16BigEndian(packet), (flags & 0x0100) != 0, type, @class, offset + 4, hasOpt);
        return true;
    }

    /// <summary>
    /// Writes the cache key into <paramref name="destination"/> (at least <see cref="MaxCacheKeyLength"/> long) and
    /// returns its length: the question's wire bytes with ASCII letters folded to lower case, then the EDNS flag.
    /// The same question always gets the same answer from one zone, and the wire form keeps "a.b" and the
    /// single label "a\.b" apart.
    /// </summary>
    public int WriteCacheKey(ReadOnlySpan<byte> packet, Span<char> destination)
    {
        var question = packet[HeaderLength..QuestionEnd];
        var nameEnd = question.Length - 4;
        for (var i = 0; i < question.Length; i++)
        {
            // Letters fold in the name only: type and class bytes are numbers (type 0x41 is not type 0x61).
            var b = question[i];
            destination[i] = (char)(i < nameEnd && b is >= (byte)'A' and <= (byte)'Z' ? b + 32 : b);
        }

        destination[question.Length] = HasOpt ? '1' : '0';
        return question.Length + 1;
    }
}
