using KubeMesh.Api.CertManager;

namespace KubeMesh.Api.Tests.CertManager;

public sealed class GoDurationTests
{
    [Theory]
    [InlineData("2160h", 2160 * 3600.0)]
    [InlineData("1h30m", 5400.0)]
    [InlineData("59m55s", 3595.0)]
    [InlineData("1.5h", 5400.0)]
    [InlineData("300ms", 0.3)]
    [InlineData("2h0m0s", 7200.0)]
    [InlineData("0", 0.0)]
    [InlineData("-1m", -60.0)]
    public void TryParse_GoDurations_AreUnderstood(string text, double seconds)
    {
        Assert.True(GoDuration.TryParse(text, out var duration, out var error), error);
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("", "time: invalid duration \"\"")]
    [InlineData("90", "time: missing unit in duration \"90\"")]
    [InlineData("90d", "time: unknown unit \"d\" in duration \"90d\"")]
    [InlineData("ninety days", "time: invalid duration \"ninety days\"")]
    [InlineData("9999999999h", "time: invalid duration \"9999999999h\"")]
    public void TryParse_NotGoDurations_SayWhyAsGoDoes(string text, string message)
    {
        Assert.False(GoDuration.TryParse(text, out _, out var error));
        Assert.Equal(message, error);
    }

    [Theory]
    [InlineData(2160 * 3600.0, "2160h0m0s")]
    [InlineData(90.0, "1m30s")]
    [InlineData(1.5, "1.5s")]
    [InlineData(0.3, "300ms")]
    [InlineData(0.0, "0s")]
    public void Format_WritesWhatGoWrites(double seconds, string text) =>
        Assert.Equal(text, GoDuration.Format(TimeSpan.FromSeconds(seconds)));
}
