using System.Buffers.Binary;
using System.Text;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace KubeMesh.Dns.Server;

/// <summary>
/// Writes a response in wire format for the UDP fast path (ARSoft.Tools.Net keeps its encoder internal):
/// header, the query's own question bytes (so a 0x20-randomised name is echoed as sent), then the
/// records. Owner names equal to the question compress to a pointer at it. Record types the cluster
/// or a typical upstream answer with are written; others are left out.
/// </summary>
public static class DnsResponseEncoder
{
    public const int ClassicUdpLimit = 512;
    public const int EdnsUdpLimit = 1232;

    public static byte[] Encode(DnsMessage response, ReadOnlySpan<byte> query, DnsQuery parsed)
    {
        var buffer = new List<byte>(256);
        buffer.AddRange(new byte[DnsQuery.HeaderLength]);
        buffer.AddRange(query[DnsQuery.HeaderLength..parsed.QuestionEnd].ToArray());
        var questionName = response.Questions.Count > 0 ? response.Questions[0].Name : null;
        var answers = WriteRecords(buffer, response.AnswerRecords, questionName);
        var authorities = WriteRecords(buffer, response.AuthorityRecords, questionName);
        if (parsed.HasOpt)
        {
            // OPT: root owner, type 41, our UDP payload size as class, no extended flags, no options.
            buffer.AddRange([0, 0, 41, (byte)(EdnsUdpLimit >> 8), (byte)(EdnsUdpLimit & 0xFF), 0, 0, 0, 0, 0, 0]);
        }

        var bytes = buffer.ToArray();
        var flags = (ushort)(0x8000 | (response.IsAuthoritiveAnswer ? 0x0400 : 0) | (response.IsRecursionAllowed ? 0x0080 : 0) | ((int)response.ReturnCode & 0xF));
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), flags);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(6), (ushort)answers);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(8), (ushort)authorities);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(10), (ushort)(parsed.HasOpt ? 1 : 0));
        var limit = parsed.HasOpt ? EdnsUdpLimit : ClassicUdpLimit;
        if (bytes.Length > limit)
        {
            // Too large for UDP: header and question with TC set, and the client asks again over TCP.
            bytes = bytes[..parsed.QuestionEnd];
            bytes[2] |= 0x02;
            bytes.AsSpan(6, 6).Clear();
        }

        return bytes;
    }

    /// <summary>Copies a cached response for one query: its ID, its RD bit and its question's spelling.</summary>
    public static int Stamp(byte[] cached, Span<byte> destination, ReadOnlySpan<byte> query, DnsQuery parsed)
    {
        cached.CopyTo(destination);
        BinaryPrimitives.WriteUInt16BigEndian(destination, parsed.Id);
        destination[2] = (byte)((destination[2] & 0xFE) | (parsed.RecursionDesired ? 1 : 0));
        query[DnsQuery.HeaderLength..parsed.QuestionEnd].CopyTo(destination[DnsQuery.HeaderLength..]);
        return cached.Length;
    }

    private static int WriteRecords(List<byte> buffer, IEnumerable<DnsRecordBase> records, DomainName? questionName)
    {
        var count = 0;
        foreach (var record in records)
        {
            var rdata = RecordData(record);
            if (rdata is null)
            {
                continue;
            }

            if (questionName is not null && record.Name.Equals(questionName))
            {
                buffer.AddRange([0xC0, DnsQuery.HeaderLength]);
            }
            else
            {
                WriteName(buffer, record.Name);
            }

            WriteUInt16(buffer, (ushort)record.RecordType);
            WriteUInt16(buffer, (ushort)record.RecordClass);
            WriteUInt32(buffer, (uint)Math.Max(0, record.TimeToLive));
            WriteUInt16(buffer, (ushort)rdata.Count);
            buffer.AddRange(rdata);
            count++;
        }

        return count;
    }

    private static List<byte>? RecordData(DnsRecordBase record)
    {
        var data = new List<byte>(32);
        switch (record)
        {
            case ARecord a:
                data.AddRange(a.Address.GetAddressBytes());
                break;
            case AaaaRecord aaaa:
                data.AddRange(aaaa.Address.GetAddressBytes());
                break;
            case CNameRecord cname:
                WriteName(data, cname.CanonicalName);
                break;
            case PtrRecord ptr:
                WriteName(data, ptr.PointerDomainName);
                break;
            case NsRecord ns:
                WriteName(data, ns.NameServer);
                break;
            case MxRecord mx:
                WriteUInt16(data, mx.Preference);
                WriteName(data, mx.ExchangeDomainName);
                break;
            case SrvRecord srv:
                WriteUInt16(data, srv.Priority);
                WriteUInt16(data, srv.Weight);
                WriteUInt16(data, srv.Port);
                WriteName(data, srv.Target);
                break;
            case TxtRecord txt:
                foreach (var text in txt.TextParts)
                {
                    var bytes = Encoding.UTF8.GetBytes(text);
                    data.Add((byte)Math.Min(bytes.Length, 255));
                    data.AddRange(bytes.Take(255));
                }

                break;
            case SoaRecord soa:
                WriteName(data, soa.MasterName);
                WriteName(data, soa.ResponsibleName);
                WriteUInt32(data, soa.SerialNumber);
                WriteUInt32(data, (uint)soa.RefreshInterval);
                WriteUInt32(data, (uint)soa.RetryInterval);
                WriteUInt32(data, (uint)soa.ExpireInterval);
                WriteUInt32(data, (uint)soa.NegativeCachingTTL);
                break;
            default:
                return null;
        }

        return data;
    }

    private static void WriteName(List<byte> buffer, DomainName name)
    {
        foreach (var label in name.Labels)
        {
            var bytes = Encoding.ASCII.GetBytes(label);
            buffer.Add((byte)bytes.Length);
            buffer.AddRange(bytes);
        }

        buffer.Add(0);
    }

    private static void WriteUInt16(List<byte> buffer, ushort value)
    {
        buffer.Add((byte)(value >> 8));
        buffer.Add((byte)value);
    }

    private static void WriteUInt32(List<byte> buffer, uint value)
    {
        WriteUInt16(buffer, (ushort)(value >> 16));
        WriteUInt16(buffer, (ushort)value);
    }
}
