using KubeMesh.Api.Printing;
using KubeMesh.Kmctl.Printing;

namespace KubeMesh.Kmctl.Tests.Printing;

public sealed class HumanDurationTests
{
    [Theory]
    [InlineData(-5, "<invalid>")]
    [InlineData(-1, "0s")]
    [InlineData(0, "0s")]
    [InlineData(5, "5s")]
    [InlineData(119, "119s")]
    [InlineData(120, "2m")]
    [InlineData(200, "3m20s")]
    [InlineData(599, "9m59s")]
    [InlineData(600, "10m")]
    [InlineData(3 * 3600 - 1, "179m")]
    [InlineData(3 * 3600, "3h")]
    [InlineData(3 * 3600 + 25 * 60, "3h25m")]
    [InlineData(8 * 3600, "8h")]
    [InlineData(47 * 3600 + 59 * 60, "47h")]
    [InlineData(51 * 3600, "2d3h")]
    [InlineData(72 * 3600, "3d")]
    [InlineData(8 * 24 * 3600, "8d")]
    [InlineData(729 * 24 * 3600, "729d")]
    [InlineData(731 * 24 * 3600, "2y1d")]
    [InlineData(9 * 365 * 24 * 3600, "9y")]
    public void Format_Seconds_MatchesKubectl(long seconds, string expected) =>
        Assert.Equal(expected, HumanDuration.Format(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Since_UnsetTimestamp_IsUnknown() =>
        Assert.Equal("<unknown>", HumanDuration.Since(null, DateTimeOffset.UnixEpoch));
}
