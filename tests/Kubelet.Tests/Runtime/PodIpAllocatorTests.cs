using KubeMesh.Kubelet.Runtime;

namespace KubeMesh.Kubelet.Tests.Runtime;

public sealed class PodIpAllocatorTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("pod-ips-").FullName;

    [Fact]
    public void Allocate_SamePodTwiceAndAfterRestart_KeepsItsAddress()
    {
        var allocator = new PodIpAllocator(PodIpRange.ForNode(1), _state);
        var first = allocator.Allocate("a");
        var second = allocator.Allocate("b");

        var restarted = new PodIpAllocator(PodIpRange.ForNode(1), _state);

        Assert.Equal(("127.10.1.2", "127.10.1.3"), (first.ToString(), second.ToString()));
        Assert.Equal(first, restarted.Allocate("a"));
        Assert.Equal("127.10.1.4", restarted.Allocate("c").ToString());
    }

    [Fact]
    public void Allocate_AfterRelease_ReusesTheFreedAddress()
    {
        var allocator = new PodIpAllocator(PodIpRange.Parse("127.20.0.0/30"), _state);
        var only = allocator.Allocate("a");

        Assert.Throws<InvalidOperationException>(() => allocator.Allocate("b"));
        allocator.Release("a");
        Assert.Equal(only, allocator.Allocate("b"));
    }

    [Theory]
    [InlineData("10.0.0.0/24")]
    [InlineData("127.0.0.0/31")]
    [InlineData("not-a-cidr")]
    public void Parse_RangeOutside127Or_TooSmall_IsRefusedNamingTheField(string cidr)
    {
        var error = Assert.Throws<FormatException>(() => PodIpRange.Parse(cidr));
        Assert.StartsWith("podCIDR: Invalid value", error.Message);
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);
}
