using System.Text;
using KubeMesh.Dns.Server;

namespace KubeMesh.Dns.Tests;

/// <summary>The UDP fast path's reading of a query packet and the cache key it answers from.</summary>
public sealed class DnsQueryTests
{
    [Fact]
    public void TryParse_PlainQuery_ReadsIdTypeClassAndWhereTheQuestionEnds()
    {
        var packet = Query(0xBEEF, ["ex-svc", "default", "svc", "cluster", "local"], type: 1);

        Assert.True(DnsQuery.TryParse(packet, out var query));

        Assert.Equal(new DnsQuery(0xBEEF, true, 1, 1, packet.Length, HasOpt: false), query);
    }

    [Fact]
    public void TryParse_Response_IsNotAFastPathQuery()
    {
        var packet = Query(1, ["a"], type: 1);
        packet[2] |= 0x80;

        Assert.False(DnsQuery.TryParse(packet, out _));
    }

    [Fact]
    public void TryParse_NameLongerThan255Bytes_IsRefused()
    {
        var packet = Query(1, Enumerable.Repeat(new string('a', 63), 5).ToArray(), type: 1);

        Assert.False(DnsQuery.TryParse(packet, out _));
    }

    [Fact]
    public void WriteCacheKey_NamesDifferingInCase_ShareAKey()
    {
        Assert.Equal(Key(Query(1, ["Ex-Svc", "DEFAULT"], type: 1)), Key(Query(2, ["ex-svc", "default"], type: 1)));
    }

    [Fact]
    public void WriteCacheKey_TypesWhoseLowByteIsAnUpperCaseLetter_KeepTheirOwnKeys()
    {
        // Type 65 (HTTPS) is byte 0x41, 'A'; folding it like a letter would make it type 97 and share that answer.
        Assert.NotEqual(Key(Query(1, ["ex-svc"], type: 65)), Key(Query(1, ["ex-svc"], type: 97)));
    }

    [Fact]
    public void WriteCacheKey_DotInsideALabel_DiffersFromTwoLabels()
    {
        Assert.NotEqual(Key(Query(1, ["a.b", "svc"], type: 1)), Key(Query(1, ["a", "b", "svc"], type: 1)));
    }

    private static string Key(byte[] packet)
    {
        Assert.True(DnsQuery.TryParse(packet, out var query));
        var key = new char[DnsQuery.MaxCacheKeyLength];
        return new string(key, 0, query.WriteCacheKey(packet, key));
    }

    private static byte[] Query(ushort id, string[] labels, ushort type)
    {
        var packet = new List<byte> { (byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in labels)
        {
            packet.Add((byte)label.Length);
            packet.AddRange(Encoding.ASCII.GetBytes(label));
        }

        packet.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        return [.. packet];
    }
}
