using KubeMesh.ApiServer.Registry.Allocation;

namespace KubeMesh.ApiServer.Tests.Registry.Allocation;

public sealed class AllocationRangeTests
{
    [Fact]
    public void ParseCidr_Slash16_ExcludesNetworkAndBroadcastAddresses()
    {
        var range = AllocationRange.ParseCidr("127.96.0.0/16");

        Assert.Equal(65534, range.Size);
        Assert.Equal("127.96.0.1", range.ItemAt(0));
        Assert.Equal("127.96.255.254", range.ItemAt(range.Size - 1));
        Assert.False(range.Contains("127.96.0.0"));
        Assert.False(range.Contains("127.96.255.255"));
        Assert.True(range.Contains("127.96.10.20"));
        Assert.False(range.Contains("127.97.0.1"));
    }

    [Theory]
    [InlineData("10.96.0.0/12")]
    [InlineData("127.96.0.0")]
    [InlineData("127.96.0.0/31")]
    [InlineData("::1/128")]
    public void ParseCidr_OutsideLoopbackOrMalformed_Throws(string cidr) =>
        Assert.Throws<FormatException>(() => AllocationRange.ParseCidr(cidr));

    [Fact]
    public void ParsePorts_DefaultRange_CoversBothEnds()
    {
        var range = AllocationRange.ParsePorts("30000-32767");

        Assert.Equal(2768, range.Size);
        Assert.Equal("30000", range.ItemAt(0));
        Assert.Equal("32767", range.ItemAt(2767));
        Assert.False(range.Contains("29999"));
        Assert.False(range.Contains("32768"));
    }

    [Theory]
    [InlineData("32767-30000")]
    [InlineData("30000")]
    [InlineData("0-10")]
    public void ParsePorts_Malformed_Throws(string range) =>
        Assert.Throws<FormatException>(() => AllocationRange.ParsePorts(range));
}
