using KubeMesh.Api.Quantities;

namespace KubeMesh.Api.Tests.Quantities;

public sealed class QuantityTests
{
    [Theory]
    [InlineData("250m", 250, 1)]
    [InlineData("1", 1000, 1)]
    [InlineData("0.5", 500, 1)]
    [InlineData("1.5", 1500, 2)]
    [InlineData("64Mi", 64L * 1024 * 1024 * 1000, 64L * 1024 * 1024)]
    [InlineData("1Gi", 1024L * 1024 * 1024 * 1000, 1024L * 1024 * 1024)]
    [InlineData("1e3", 1_000_000, 1000)]
    [InlineData("128M", 128_000_000_000, 128_000_000)]
    [InlineData("1k", 1_000_000, 1000)]
    [InlineData("100n", 1, 1)]
    [InlineData("-2", -2000, -2)]
    [InlineData("0", 0, 0)]
    public void Parse_ValidQuantity_HasExpectedMilliValueAndValue(string text, long milli, long value)
    {
        var quantity = Quantity.Parse(text);

        Assert.Equal(milli, quantity.MilliValue);
        Assert.Equal(value, quantity.Value);
    }

    [Theory]
    [InlineData("250m", "250m")]
    [InlineData("0.5", "500m")]
    [InlineData("1000", "1k")]
    [InlineData("1500", "1500")]
    [InlineData("1024Mi", "1Gi")]
    [InlineData("1.5Gi", "1536Mi")]
    [InlineData("0.5Ki", "512")]
    [InlineData("0.1Ki", "102400m")]
    [InlineData("1e3", "1e3")]
    [InlineData("1500e0", "1500")]
    [InlineData("128M", "128M")]
    [InlineData("0.0000000001", "1n")]
    [InlineData("+3", "3")]
    [InlineData("0Mi", "0")]
    public void ToString_ParsedQuantity_IsCanonical(string text, string canonical)
    {
        Assert.Equal(canonical, Quantity.Parse(text).ToString());
    }

    [Theory]
    [InlineData("12 parsecs")]
    [InlineData("")]
    [InlineData("Mi")]
    [InlineData("1.2.3")]
    [InlineData("1K")]
    [InlineData("1Ki2")]
    [InlineData("1e")]
    [InlineData("- 1")]
    [InlineData(".")]
    public void TryParse_InvalidQuantity_FailsWithReason(string text)
    {
        Assert.False(Quantity.TryParse(text, out _, out var reason));
        Assert.False(string.IsNullOrEmpty(reason));
    }

    [Fact]
    public void TryParse_WordsAfterNumber_ReportsKubernetesFormatMessage()
    {
        Assert.False(Quantity.TryParse("12 parsecs", out _, out var reason));
        Assert.Equal(Quantity.FormatError, reason);
    }

    [Fact]
    public void Parse_Invalid_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => Quantity.Parse("lots"));
    }

    [Fact]
    public void Equals_SameAmountInOtherUnits_IsEqual()
    {
        Assert.Equal(Quantity.Parse("1Gi"), Quantity.Parse("1024Mi"));
        Assert.Equal(Quantity.Parse("1"), Quantity.Parse("1000m"));
        Assert.NotEqual(Quantity.Parse("1G"), Quantity.Parse("1Gi"));
    }

    [Fact]
    public void Operators_SumAndCompare_UseAmounts()
    {
        var sum = Quantity.Parse("250m") + Quantity.Parse("0.75");

        Assert.Equal(1000, sum.MilliValue);
        Assert.True(Quantity.Parse("64Mi") < Quantity.Parse("128Mi"));
        Assert.True(Quantity.Parse("1") > Quantity.Parse("999m"));
        Assert.Equal("500m", Quantity.FromMilli(500).ToString());
    }
}
