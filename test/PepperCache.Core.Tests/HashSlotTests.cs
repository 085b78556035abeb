using PepperCache.Core.Cluster;
using static PepperCache.Core.Tests.TestBytes;
using PepperCache.Protocol;

namespace PepperCache.Core.Tests;

public class HashSlotTests
{
    // Every expectation was read from Redis 7.0.15 in cluster mode: CLUSTER KEYSLOT <key> (binary keys sent with
    // redis-cli -x). Strings are Latin-1, so "\u00ff" is the byte 0xFF.
    [Theory]
    [InlineData("", 0)]
    [InlineData("a", 15495)]
    [InlineData("foo", 12182)]
    [InlineData("bar", 5061)]
    [InlineData("hello", 866)]
    [InlineData("123456789", 12739)]
    [InlineData("{user1000}.following", 3443)]
    [InlineData("{user1000}.followers", 3443)]
    [InlineData("user1000", 3443)]
    [InlineData("foo{}{bar}", 8363)]
    [InlineData("{}", 15257)]
    [InlineData("{}foo", 9500)]
    [InlineData("foo{{bar}}zap", 4015)]
    [InlineData("foo{bar}{zap}", 5061)]
    [InlineData("{bar", 4015)]
    [InlineData("bar}", 6624)]
    [InlineData("}{bar}", 5061)]
    [InlineData("{a}b", 15495)]
    [InlineData("a{b}c", 3300)]
    [InlineData("x{}", 2608)]
    [InlineData("{{}}", 4092)]
    [InlineData("{}{a}", 13650)]
    [InlineData("key:1", 6657)]
    [InlineData("key:2", 10850)]
    [InlineData("somekey", 11058)]
    [InlineData("{a", 10276)]
    [InlineData("a{b", 13340)]
    [InlineData("{ab}{cd}", 13567)]
    [InlineData("Test", 11336)]
    [InlineData("the quick brown fox", 3431)]
    [InlineData("{hello}", 866)]
    [InlineData("hello}{", 15898)]
    [InlineData("\0", 0)]
    [InlineData("\u00ff", 7920)]
    [InlineData("\0\u00ff{}", 13562)]
    [InlineData("{\0}", 0)]
    [InlineData("{\u00fe\u00fd}x", 3708)]
    [InlineData("a\r\nb", 3608)]
    public void MatchesRedisKeySlot(string key, int slot) => Assert.Equal(slot, HashSlot.Of(B(key)));

    [Fact]
    public void Crc16IsXmodem() => Assert.Equal(0x31C3, HashSlot.Crc16(B("123456789")));

    [Fact]
    public void Crc16FourBytesAtATimeMatchesTheBitwiseDefinitionAtEveryLength()
    {
        var random = new Random(1021);
        for (var length = 0; length <= 70; length++)
        {
            for (var trial = 0; trial < 20; trial++)
            {
                var data = new byte[length];
                random.NextBytes(data);
                Assert.Equal(BitwiseCrc16(data), HashSlot.Crc16(data));
            }
        }
    }

    /// <summary>CRC16-XMODEM bit by bit, as its definition reads: the reference for the table-driven one.</summary>
    private static ushort BitwiseCrc16(byte[] data)
    {
        var crc = 0;
        foreach (var b in data)
        {
            crc ^= b << 8;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x1021) & 0xFFFF : (crc << 1) & 0xFFFF;
            }
        }

        return (ushort)crc;
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("{tag}rest", "tag")]
    [InlineData("pre{tag}post{other}", "tag")]
    [InlineData("{}", "{}")]
    [InlineData("foo{}{bar}", "foo{}{bar}")]
    [InlineData("{{x}}", "{x")]
    [InlineData("{open", "{open")]
    public void HashedPartFollowsRedisTagRules(string key, string hashed) => Assert.Equal(hashed, S(HashSlot.HashedPart(B(key))));

    [Fact]
    public void StaysInSlotRangeForLongKeys()
    {
        var key = new byte[100_000];
        new Random(4).NextBytes(key);
        Assert.InRange(HashSlot.Of(key), 0, HashSlot.SlotCount - 1);
    }

    [Fact]
    public void AllocatesNothing()
    {
        var key = B("{user1000}.following");
        HashSlot.Of(key);
        // The fewest bytes of up to three runs: an allocation per call shows in every run, the runtime's own in one.
        // Tiered compilation starts counting calls when the process has been quiet for 100 ms, so on a loaded CI
        // machine a call in the measured loop may be the one that promotes HashSlot.Of: CI once counted 2,480 bytes.
        var allocated = long.MaxValue;
        var sum = 0;
        for (var run = 0; run < 3 && allocated > 0; run++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            sum = 0;
            for (var i = 0; i < 1000; i++)
            {
                sum += HashSlot.Of(key);
            }

            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, allocated);
        Assert.Equal(3443 * 1000, sum);
    }
}
