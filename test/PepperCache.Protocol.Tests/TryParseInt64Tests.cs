using PepperCache.Protocol.Tests.Infrastructure;

namespace PepperCache.Protocol.Tests;

/// <summary><see cref="RespParser.TryParseInt64"/> accepts exactly what Redis's <c>string2ll</c> accepts.</summary>
public sealed class TryParseInt64Tests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1", 1L)]
    [InlineData("-1", -1L)]
    [InlineData("10", 10L)]
    [InlineData("1048576", 1048576L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    [InlineData("9223372036854775806", long.MaxValue - 1)]
    [InlineData("-9223372036854775807", long.MinValue + 1)]
    public void AcceptsCanonicalIntegers(string text, long expected)
    {
        Assert.True(RespParser.TryParseInt64(Bytes.Of(text), out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("+")]
    [InlineData("+1")]
    [InlineData("-0")]
    [InlineData("00")]
    [InlineData("01")]
    [InlineData("-01")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("1\r")]
    [InlineData("1a")]
    [InlineData("0x10")]
    [InlineData("1.0")]
    [InlineData("1e3")]
    [InlineData("--1")]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775809")]
    [InlineData("18446744073709551615")]
    [InlineData("18446744073709551616")]
    [InlineData("99999999999999999999")]
    [InlineData("-99999999999999999999")]
    [InlineData("100000000000000000000")]
    [InlineData("000000000000000000001")]
    public void RejectsWhatString2llRejects(string text)
    {
        Assert.False(RespParser.TryParseInt64(Bytes.Of(text), out var value));
        Assert.Equal(0, value);
    }

    [Fact]
    public void RoundTripsEveryPowerOfTenBoundary()
    {
        for (var exponent = 0; exponent <= 18; exponent++)
        {
            var power = (long)Math.Pow(10, exponent);
            foreach (var n in new[] { power, power - 1, power + 1, -power, -(power - 1), -(power + 1) })
            {
                var text = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(RespParser.TryParseInt64(Bytes.Of(text), out var value), text);
                Assert.Equal(n, value);
            }
        }
    }
}
