using System.Text;
using PepperCache.Core.Rdb;

namespace PepperCache.Core.Tests;

/// <summary>Redis's CRC-64 and LZF, checked against what redis-server 7.0.15 produced.</summary>
public class RdbCodecTests
{
    [Fact]
    public void Crc64IsRedisJonesCrc()
    {
        // crc64.c's own test vector; System.IO.Hashing's Crc64 (ECMA-182) is another CRC.
        Assert.Equal(0xe9c6d914c4b8d9caUL, Crc64Jones.Compute("123456789"u8));
        Assert.NotEqual(System.IO.Hashing.Crc64.HashToUInt64("123456789"u8), Crc64Jones.Compute("123456789"u8));
    }

    /// <summary>Eight bytes at a time gives what crc64.c's definition, one bit at a time, gives, at every length and split.</summary>
    [Fact]
    public void Crc64EightBytesAtATimeMatchesTheBitwiseDefinition()
    {
        var random = new Random(64);
        var data = new byte[300];
        random.NextBytes(data);
        for (var length = 0; length <= data.Length; length++)
        {
            var span = data.AsSpan(0, length);
            var split = random.Next(length + 1);
            Assert.Equal(Bitwise(span), Crc64Jones.Compute(span));
            Assert.Equal(Bitwise(span), Crc64Jones.Compute(span[split..], Crc64Jones.Compute(span[..split])));
        }

        static ulong Bitwise(ReadOnlySpan<byte> bytes)
        {
            ulong crc = 0;
            foreach (var b in bytes)
            {
                crc ^= b;
                for (var bit = 0; bit < 8; bit++)
                {
                    crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x95AC9329AC4BC9B5 : crc >> 1;
                }
            }

            return crc;
        }
    }

    /// <summary>
    /// Texts redis-server compressed (DUMP of a SET of each) and what it made of them. The second ends with a match
    /// in its last 4 bytes, which liblzf 3.6 takes and Redis's bundled copy does not: the reference server links liblzf.
    /// </summary>
    [Theory]
    [InlineData("aaabaccbbcacaccabcbccbcbcbaabbbbbcacaaaaabaaccbcccabbccbcbbbabccbccabbbccbcbbbccccbbcabcacbbbbcccccc",
        "0a61616162616363626263612001046361626362200d400120184000201500614000200f4018402220052021016262202c20082033e00011201e2018201120352015600f016363")]
    [InlineData("cbacaacbaacaabbacacaabacccbcacccaabccccaaaabcbabbbbbacbbabaabcbbacccabbcbbacaccbcabbaacabccabbbaccba",
        "076362616361616362200302616162400c4007046163636362200a0063400c20052006201d202500624000202e20096010200b201c0062201a2009200b20342009200a2035200920142034")]
    public void LzfCompressesAsRedisDoes(string text, string expected)
    {
        var input = Encoding.ASCII.GetBytes(text);
        var output = new byte[input.Length];
        var length = Lzf.Compress(input, output, input.Length - 4);
        Assert.Equal(expected, Convert.ToHexStringLower(output, 0, length));
        var back = new byte[input.Length];
        Assert.True(Lzf.TryDecompress(output.AsSpan(0, length), back));
        Assert.Equal(input, back);
    }

    /// <summary>
    /// The hash table is kept between calls on a thread: what one call left must not be taken for a match by the next.
    /// The same text twice, then after other texts, compresses to Redis's bytes each time.
    /// </summary>
    [Fact]
    public void LzfGivesTheSameBytesWhateverItCompressedBefore()
    {
        var text = Encoding.ASCII.GetBytes("aaabaccbbcacaccabcbccbcbcbaabbbbbcacaaaaabaaccbcccabbccbcbbbabccbccabbbccbcbbbccccbbcabcacbbbbcccccc");
        const string Expected = "0a61616162616363626263612001046361626362200d400120184000201500614000200f4018402220052021016262202c20082033e00011201e2018201120352015600f016363";
        var other = Encoding.ASCII.GetBytes(new string('c', 3000) + "ab" + new string('b', 500));
        for (var round = 0; round < 3; round++)
        {
            var output = new byte[text.Length];
            var length = Lzf.Compress(text, output, text.Length - 4);
            Assert.Equal(Expected, Convert.ToHexStringLower(output, 0, length));
            Assert.NotEqual(0, Lzf.Compress(other, new byte[other.Length], other.Length - 4));
        }
    }

    [Fact]
    public void LzfRoundTripsRandomInputsAndGivesUpWhenItCannotSave()
    {
        var random = new Random(7);
        for (var round = 0; round < 300; round++)
        {
            var input = new byte[random.Next(3, 5000)];
            var alphabet = random.Next(1, 256);
            for (var i = 0; i < input.Length; i++)
            {
                input[i] = (byte)random.Next(alphabet);
            }

            var output = new byte[input.Length + 1];
            var length = Lzf.Compress(input, output, input.Length - 1);
            if (length == 0)
            {
                continue;
            }

            Assert.True(length < input.Length);
            var back = new byte[input.Length];
            Assert.True(Lzf.TryDecompress(output.AsSpan(0, length), back));
            Assert.Equal(input, back);
        }

        var noise = new byte[100];
        new Random(8).NextBytes(noise);
        Assert.Equal(0, Lzf.Compress(noise, new byte[97], 96));
    }

    [Theory]
    [InlineData("", 1)]
    [InlineData("05616263", 6)]
    [InlineData("0261626320", 4)]
    [InlineData("0061e000", 4)]
    [InlineData("20ff", 4)]
    [InlineData("0261626320000000", 5)]
    public void LzfRefusesInputThatDoesNotFillTheOutputExactly(string hex, int outputLength)
    {
        Assert.False(Lzf.TryDecompress(Convert.FromHexString(hex), new byte[outputLength]));
    }
}
