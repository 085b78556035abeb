using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using PepperCache.Core.Storage;
using static PepperCache.Core.Tests.TestBytes;

namespace PepperCache.Core.Tests;

public class IncrementByFloatTests
{
    private const string NotANumber = "!NotANumber";
    private const string Overflow = "!Overflow";

    private readonly FakeTimeProvider _time = new();
    private readonly KeyValueStore _store;

    public IncrementByFloatTests() => _store = new KeyValueStore(_time);

    // Each row is SET k <stored>; INCRBYFLOAT k <increment> against Redis 7.0.15 (x86-64), reply copied verbatim.
    // NotANumber = "ERR value is not a valid float", Overflow = "ERR increment would produce NaN or Infinity".
    [Theory]
    [InlineData("10.5", "0.1", "10.6")]
    [InlineData("5.0e3", "200", "5200")]
    [InlineData("3", "1.5", "4.5")]
    [InlineData("1e3", "1", "1001")]
    [InlineData("0.1", "0.2", "0.3")]
    [InlineData("1.1", "0.2", "1.3")]
    [InlineData("1000.1", "0", "1000.09999999999999998")]
    [InlineData("123456.7", "0", "123456.70000000000000284")]
    [InlineData("0", "1e-20", "0")]
    [InlineData("0", "1.2345678901234567e-5", "0.00001234567890123")]
    [InlineData("0", "1e20", "100000000000000000000")]
    [InlineData("1e20", "1", "100000000000000000000")]
    [InlineData("100000000000000003", "123456789012345678", "223456789012345681")]
    [InlineData("18446744073709551617", "0", "18446744073709551616")]
    [InlineData("0.000003814697265625", "0", "0.00000381469726562")]
    [InlineData("0.000011444091796875", "0", "0.00001144409179688")]
    [InlineData("-1e-18", "0", "0")]
    [InlineData("0", "-0.5", "-0.5")]
    [InlineData("-0", "-0", "0")]
    [InlineData("5", "1e-17", "5.00000000000000001")]
    [InlineData("1", "-1", "0")]
    [InlineData("0x10", "1", "17")]
    [InlineData("0x1p3", "1", "9")]
    [InlineData("0x.8", "0", "0.5")]
    [InlineData("-0x1.8p1", "0", "-3")]
    [InlineData(".5", "1", "1.5")]
    [InlineData("5.", "1", "6")]
    [InlineData("+5", "1", "6")]
    [InlineData("1E+2", "0", "100")]
    [InlineData("1e-4940", "0", "0")]
    [InlineData("1.5e-17", "0", "0.00000000000000002")]
    [InlineData("2.5e-17", "0", "0.00000000000000002")]
    [InlineData("3.0", "1e17", "100000000000000003")]
    [InlineData(" 1", "1", NotANumber)]
    [InlineData("1 ", "1", NotANumber)]
    [InlineData("1e", "1", NotANumber)]
    [InlineData("1e+", "1", NotANumber)]
    [InlineData(".", "1", NotANumber)]
    [InlineData("-", "1", NotANumber)]
    [InlineData("0x", "1", NotANumber)]
    [InlineData("nan", "1", NotANumber)]
    [InlineData("abc", "1", NotANumber)]
    [InlineData("1_0", "1", NotANumber)]
    [InlineData("", "1", NotANumber)]
    [InlineData("1e-5000", "1", NotANumber)]
    [InlineData("1e4933", "1", NotANumber)]
    [InlineData("inf", "1", Overflow)]
    [InlineData("-infinity", "1", Overflow)]
    [InlineData("1", "inf", Overflow)]
    [InlineData("1e4932", "1e4932", Overflow)]
    [InlineData("-1e4932", "-1e4932", Overflow)]
    [InlineData("1", "nan", NotANumber)]
    [InlineData("1", "abc", NotANumber)]
    [InlineData("1", "1e-5000", NotANumber)]
    [InlineData("1", "0x1p-16446", NotANumber)]
    public void MatchesRedisForTheIncrementText(string stored, string increment, string expected)
    {
        _store.Set("k"u8, B(stored));
        var outcome = _store.IncrementByFloat("k"u8, B(increment), out var result);
        Assert.Equal(expected, Describe(outcome, result));
        if (outcome != IncrementResult.Ok)
        {
            Assert.True(_store.TryGet("k"u8, out var unchanged));
            Assert.Equal(stored, S(unchanged.Span));
        }
    }

    [Theory]
    [InlineData("10.5", 0.1, "10.6")]
    [InlineData("0.1", 0.2, "0.3")]
    [InlineData("1", 0.30000000000000004, "1.30000000000000004")]
    [InlineData("3", 1e17, "100000000000000003")]
    [InlineData("1", -1.5e-5, "0.999985")]
    [InlineData("1", double.PositiveInfinity, Overflow)]
    [InlineData("1", double.NaN, Overflow)]
    [InlineData("x", double.NaN, NotANumber)]
    public void DoubleIncrementIsReadAsItsShortestText(string stored, double increment, string expected)
    {
        _store.Set("k"u8, B(stored));
        var outcome = _store.IncrementByFloat("k"u8, increment, out var result);
        Assert.Equal(expected, Describe(outcome, result));
    }

    [Fact]
    public void RepeatedTenthsStayClean()
    {
        // In double arithmetic the third step would read 0.30000000000000004; Redis and we print 0.3.
        var seen = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(IncrementResult.Ok, _store.IncrementByFloat("k"u8, "0.1"u8, out var result));
            seen.Add(S(result.Span));
        }

        Assert.Equal(["0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1"], seen);
    }

    [Fact]
    public void HugeValuesPrintEveryIntegerDigitAsRedisDoes()
    {
        _store.Set("k"u8, "1e300"u8);
        Assert.Equal(IncrementResult.Ok, _store.IncrementByFloat("k"u8, "0"u8, out var result));
        Assert.Equal(
            "1000000000000000000008997324079559193870523944273290747938260082321265646596180935755849152083750497190350372508614274835903592556184672983913096260520748646287327135641843653294084255107606016789726652932370030551382947620994540294772781889620606179267611627097410650567187386105690089424915104006144",
            S(result.Span));

        _store.Set("k"u8, "1e4931"u8);
        Assert.Equal(IncrementResult.Ok, _store.IncrementByFloat("k"u8, "0"u8, out result));
        Assert.Equal(4932, result.Length);
    }

    [Fact]
    public void MissingKeyStartsAtZeroWithoutExpiry()
    {
        Assert.Equal(IncrementResult.Ok, _store.IncrementByFloat("k"u8, "2.5"u8, out var result));
        Assert.Equal("2.5", S(result.Span));
        Assert.Equal(-1, _store.GetExpiresAt("k"u8));
    }

    [Fact]
    public void ExpiryIsKept()
    {
        var expiresAt = _store.Now + 10_000;
        _store.Set("k"u8, "1"u8, expiresAt);
        Assert.Equal(IncrementResult.Ok, _store.IncrementByFloat("k"u8, 0.5, out var result));
        Assert.Equal(expiresAt, result.ExpiresAt);
        Assert.Equal(expiresAt, _store.GetExpiresAt("k"u8));
    }

    [Fact]
    public void ExpiredKeyCountsAsMissing()
    {
        _store.Set("k"u8, "100"u8, _store.Now + 1000);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(IncrementResult.Ok, _store.IncrementByFloat("k"u8, "1"u8, out var result));
        Assert.Equal("1", S(result.Span));
        Assert.Equal(-1, _store.GetExpiresAt("k"u8));
    }

    private static string Describe(IncrementResult outcome, StoreValue result) => outcome switch
    {
        IncrementResult.Ok => S(result.Span),
        IncrementResult.NotANumber => NotANumber,
        _ => Overflow,
    };
}
