using Microsoft.Extensions.Time.Testing;
using PepperCache.Core.Storage;
using static PepperCache.Core.Tests.TestBytes;

namespace PepperCache.Core.Tests;

/// <summary>
/// The per-key facts OBJECT reports, read through <see cref="KeyValueStore.TryDescribe"/>: idle time (LRU clock),
/// the LFU counter and its decay, and the string encoding Redis would give the value.
/// </summary>
public sealed class KeyValueStoreAccessBitsTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly KeyValueStore _store;

    public KeyValueStoreAccessBitsTests() => _store = new KeyValueStore(_time);

    [Fact]
    public void IdleTimeGrowsWithTheClockAndOnlyUsesResetIt()
    {
        _store.Set("k"u8, "v"u8);
        Assert.Equal(0, Describe("k").IdleMs);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(5000, Describe("k").IdleMs);

        // Questions about the key are not uses of it (Redis's LOOKUP_NOTOUCH).
        Assert.Equal(DataType.String, _store.TypeOf("k"u8));
        Assert.True(_store.Exists("k"u8));
        Assert.Equal(-1, _store.GetExpiresAt("k"u8));
        Assert.True(_store.TryDescribe("k"u8, out _));
        var keys = new List<byte[]>();
        _store.Scan(0, "*"u8, 100, keys);
        _store.Keys("*"u8, keys);
        _time.Advance(TimeSpan.FromMilliseconds(2300));
        Assert.Equal(7300, Describe("k").IdleMs);

        Assert.True(_store.TryGet("k"u8, out _));
        Assert.Equal(0, Describe("k").IdleMs);

        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.True(_store.Touch("k"u8));
        Assert.Equal(0, Describe("k").IdleMs);

        _time.Advance(TimeSpan.FromSeconds(3));
        _store.Set("k"u8, "w"u8);
        Assert.Equal(0, Describe("k").IdleMs);
    }

    [Fact]
    public void TheIdleTimeIsCountedInTenthsOfASecond()
    {
        _store.Set("k"u8, "v"u8);
        _time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Equal(0, Describe("k").IdleMs);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(100, Describe("k").IdleMs);
    }

    [Fact]
    public void TheLfuCounterStartsAtFiveAndLosesOnePerDecayPeriod()
    {
        _store.Memory.Policy = EvictionPolicy.AllKeysLfu;
        _store.Set("k"u8, "v"u8);
        Assert.Equal(5, Describe("k").Frequency);
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(5, Describe("k").Frequency);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(4, Describe("k").Frequency);
        _time.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(1, Describe("k").Frequency);
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, Describe("k").Frequency);

        // lfu-decay-time is minutes per step; 0 turns decay off.
        _store.Memory.LfuDecayTime = 2;
        _store.Set("two"u8, "v"u8);
        _time.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(4, Describe("two").Frequency);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(3, Describe("two").Frequency);
        _store.Memory.LfuDecayTime = 0;
        Assert.Equal(5, Describe("two").Frequency);
    }

    [Fact]
    public void AReadDecaysTheCounterThenCountsItself()
    {
        _store.Memory.Policy = EvictionPolicy.AllKeysLfu;
        _store.Set("k"u8, "v"u8);
        _time.Advance(TimeSpan.FromMinutes(3));
        // Decayed to 2; at or below the initial 5 an access always counts, as in Redis's LFULogIncr.
        Assert.True(_store.TryGet("k"u8, out _));
        Assert.Equal(3, Describe("k").Frequency);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(2, Describe("k").Frequency);

        // Not uses: TYPE, EXISTS, TTL, OBJECT.
        _store.TypeOf("k"u8);
        _store.Exists("k"u8);
        _store.GetExpiresAt("k"u8);
        Assert.Equal(2, Describe("k").Frequency);
    }

    [Fact]
    public void TheFirstReadOfANewKeyAlwaysCounts()
    {
        _store.Memory.Policy = EvictionPolicy.AllKeysLfu;
        _store.Set("k"u8, "v"u8);
        Assert.True(_store.TryGet("k"u8, out _));
        Assert.Equal(6, Describe("k").Frequency);
    }

    [Fact]
    public void AnOverwriteIsAUseAndTheNewValueKeepsTheCounter()
    {
        // Redis looks the key up for writing (a use), then dbOverwrite keeps the old value's LFU field.
        _store.Memory.Policy = EvictionPolicy.AllKeysLfu;
        _store.Set("k"u8, "v"u8);
        _store.Set("k"u8, "w"u8);
        Assert.Equal(6, Describe("k").Frequency);

        _time.Advance(TimeSpan.FromMinutes(3));
        _store.Set("k"u8, "x"u8, _store.Now + 60_000);
        Assert.Equal(4, Describe("k").Frequency);
        _store.SetMany(Request("MSET", "k", "y"), 1, onlyIfNoneExist: false);
        Assert.Equal(5, Describe("k").Frequency);
        Assert.True(_store.Set("k"u8, "z"u8, 0, SetCondition.IfExists, keepTtl: false, out _));
        Assert.Equal(6, Describe("k").Frequency);
        Assert.Equal(IncrementResult.Ok, _store.IncrementBy("n"u8, 1, out _));
        Assert.Equal(IncrementResult.Ok, _store.IncrementBy("n"u8, 1, out _));
        Assert.Equal(6, Describe("n").Frequency);
    }

    [Fact]
    public void CountsClimbMoreSlowlyAsTheyGrow()
    {
        _store.Memory.Policy = EvictionPolicy.AllKeysLfu;
        _store.Memory.LfuLogFactor = 0;
        _store.Set("linear"u8, "v"u8);
        for (var i = 0; i < 100; i++)
        {
            _store.TryGet("linear"u8, out _);
        }

        // A log factor of 0 makes every access count, up to the 8-bit ceiling.
        Assert.Equal(105, Describe("linear").Frequency);
        for (var i = 0; i < 200; i++)
        {
            _store.TryGet("linear"u8, out _);
        }

        Assert.Equal(255, Describe("linear").Frequency);

        _store.Memory.LfuLogFactor = 10;
        _store.Set("log"u8, "v"u8);
        for (var i = 0; i < 1000; i++)
        {
            _store.TryGet("log"u8, out _);
        }

        // Redis's table for factor 10: about 18 after 1,000 hits (counting from 5, here 5 + the climb).
        Assert.InRange(Describe("log").Frequency, 8, 30);
    }

    [Theory]
    [InlineData("123", "int")]
    [InlineData("0", "int")]
    [InlineData("-1", "int")]
    [InlineData("-9223372036854775808", "int")]
    [InlineData("9223372036854775807", "int")]
    [InlineData("9223372036854775808", "embstr")]
    [InlineData("-0", "embstr")]
    [InlineData("01", "embstr")]
    [InlineData("+1", "embstr")]
    [InlineData(" 1", "embstr")]
    [InlineData("1 ", "embstr")]
    [InlineData("1.5", "embstr")]
    [InlineData("", "embstr")]
    [InlineData("abc", "embstr")]
    public void ASetStringIsEncodedAsRedisEncodesIt(string value, string encoding)
    {
        _store.Set("k"u8, B(value));
        Assert.Equal(encoding, Describe("k").Encoding);
        _store.SetMany(Request("MSET", "m", value), 1, onlyIfNoneExist: false);
        Assert.Equal(encoding, Describe("m").Encoding);
    }

    [Theory]
    [InlineData(44, "embstr")]
    [InlineData(45, "raw")]
    [InlineData(1000, "raw")]
    public void LongStringsAreEmbeddedUpTo44Bytes(int length, string encoding)
    {
        _store.Set("k"u8, new string('x', length).Select(c => (byte)c).ToArray());
        Assert.Equal(encoding, Describe("k").Encoding);
    }

    [Fact]
    public void AppendingMakesAStringRaw()
    {
        _store.Set("k"u8, "12"u8);
        _store.Append("k"u8, "3"u8);
        Assert.Equal("raw", Describe("k").Encoding);

        // Even an empty APPEND unshares the value in Redis.
        _store.Set("empty"u8, "12"u8);
        _store.Append("empty"u8, ""u8);
        Assert.Equal("raw", Describe("empty").Encoding);
        Assert.True(_store.TryGet("empty"u8, out var value));
        Assert.Equal("12", S(value.Span));
    }

    [Theory]
    [InlineData("123", "int")]
    [InlineData("abc", "embstr")]
    [InlineData("", "embstr")]
    public void AppendingToAMissingKeyEncodesTheValueAsSetWould(string value, string encoding)
    {
        _store.Append("k"u8, B(value));
        Assert.Equal(encoding, Describe("k").Encoding);
    }

    [Fact]
    public void CountersAreIntsAndFloatResultsNever()
    {
        _store.IncrementBy("n"u8, 5, out _);
        Assert.Equal("int", Describe("n").Encoding);

        _store.Set("f"u8, "1"u8);
        Assert.Equal(IncrementResult.Ok, _store.IncrementByFloat("f"u8, "1"u8, out var sum));
        Assert.Equal("2", S(sum.Span));
        Assert.Equal("embstr", Describe("f").Encoding);
        Assert.Equal(IncrementResult.Ok, _store.IncrementByFloat("f"u8, "0.5"u8, out _));
        Assert.Equal("embstr", Describe("f").Encoding);

        // INCR of a float result writes a new integer.
        _store.Set("g"u8, "1"u8);
        _store.IncrementByFloat("g"u8, "1"u8, out _);
        _store.IncrementBy("g"u8, 1, out _);
        Assert.Equal("int", Describe("g").Encoding);
    }

    [Fact]
    public void SetRangeMakesARawStringButAnEmptyOneChangesNothing()
    {
        _store.SetRange("new"u8, 0, "12"u8);
        Assert.Equal("raw", Describe("new").Encoding);

        _store.Set("k"u8, "12"u8);
        _store.SetRange("k"u8, 5, ""u8);
        Assert.Equal("int", Describe("k").Encoding);
        _store.SetRange("k"u8, 0, "3"u8);
        Assert.Equal("raw", Describe("k").Encoding);
    }

    [Fact]
    public void RenameKeepsTheEncodingAndCountsAsAUse()
    {
        _store.Set("k"u8, "12"u8);
        _store.Append("k"u8, "3"u8);
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(RenameResult.Renamed, _store.Rename("k"u8, "r"u8, onlyIfTargetMissing: false));
        var renamed = Describe("r");
        Assert.Equal("raw", renamed.Encoding);
        Assert.Equal(DataType.String, renamed.Type);
        Assert.Equal(0, renamed.IdleMs);
    }

    [Fact]
    public void AMissingOrExpiredKeyHasNoDescription()
    {
        Assert.False(_store.TryDescribe("missing"u8, out _));
        _store.Set("k"u8, "v"u8, _store.Now + 1000);
        Assert.True(_store.TryDescribe("k"u8, out _));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(_store.TryDescribe("k"u8, out _));
        Assert.Equal(1, _store.ExpiredKeys);
    }

    private KeyDescription Describe(string key)
    {
        Assert.True(_store.TryDescribe(B(key), out var description), $"{key} should exist");
        return description;
    }
}
