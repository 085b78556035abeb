using System.Buffers;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using static PepperCache.Core.Tests.TestBytes;

namespace PepperCache.Core.Tests;

/// <summary>
/// The persisted numbers and formats: type codes (in every entry, the AOF and migration payloads) and each type's
/// payload bytes. These tests fail on any change of them; a new layout needs a new format number instead.
/// </summary>
public class StoreObjectFormatTests
{
    private readonly EncodingSettings _settings = new();

    [Fact]
    public void TypeCodesAreRedisObjNumbers()
    {
        Assert.Equal(0, (int)DataType.String);
        Assert.Equal(1, (int)DataType.List);
        Assert.Equal(2, (int)DataType.Set);
        Assert.Equal(3, (int)DataType.SortedSet);
        Assert.Equal(4, (int)DataType.Hash);
        Assert.Equal(6, (int)DataType.Stream);
    }

    [Fact]
    public void HashPayloadBytesAreFrozen()
    {
        var hash = new HashObject();
        hash.Set("a"u8, "1"u8, _settings);
        hash.Set("bb"u8, ""u8, _settings);
        hash.Set(new byte[200], "\xff"u8.ToArray(), _settings);

        var expected = new List<byte> { 0x01, 0x03, 0x01, (byte)'a', 0x01, (byte)'1', 0x02, (byte)'b', (byte)'b', 0x00, 0xC8, 0x01 };
        expected.AddRange(new byte[200]);
        expected.AddRange([0x02, 0xC3, 0xBF]);
        var payload = StoreObjectFormat.ToArray(hash);
        Assert.Equal(expected, payload);
    }

    [Fact]
    public void AHashPayloadReadsBackWithItsOrderAndTheTargetsEncoding()
    {
        var hash = new HashObject();
        for (var i = 0; i < 10; i++)
        {
            hash.Set(B($"f{9 - i}"), B($"v{i}"), _settings);
        }

        var payload = StoreObjectFormat.ToArray(hash);
        Assert.True(StoreObjectFormat.TryDeserialize(DataType.Hash, payload, _settings, out var copy));
        var read = Assert.IsType<HashObject>(copy);
        Assert.True(read.IsListpack);
        Assert.Equal(HashObjectTests.Pairs(hash), HashObjectTests.Pairs(read));

        var small = new EncodingSettings { HashMaxListpackEntries = 5 };
        Assert.True(StoreObjectFormat.TryDeserialize(DataType.Hash, payload, small, out copy));
        Assert.False(((HashObject)copy).IsListpack);
    }

    [Fact]
    public void BadPayloadsAreRefused()
    {
        var hash = new HashObject();
        hash.Set("a"u8, "1"u8, _settings);
        hash.Set("b"u8, "2"u8, _settings);
        var payload = StoreObjectFormat.ToArray(hash);
        for (var cut = 0; cut < payload.Length; cut++)
        {
            Assert.False(StoreObjectFormat.TryDeserialize(DataType.Hash, payload.AsSpan(0, cut), _settings, out _));
        }

        Assert.False(StoreObjectFormat.TryDeserialize(DataType.Hash, [.. payload, 0], _settings, out _));
        Assert.False(StoreObjectFormat.TryDeserialize(DataType.Hash, [2, .. payload.AsSpan(1)], _settings, out _));
        Assert.False(StoreObjectFormat.TryDeserialize(DataType.String, payload, _settings, out _));
        Assert.False(StoreObjectFormat.TryDeserialize(DataType.Stream, payload, _settings, out _));
        // A field twice: the count would not match what was read.
        Assert.False(StoreObjectFormat.TryDeserialize(DataType.Hash, [1, 2, 1, (byte)'a', 0, 1, (byte)'a', 0], _settings, out _));
        // A count far beyond the bytes, and a varint too long.
        Assert.False(StoreObjectFormat.TryDeserialize(DataType.Hash, [1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], _settings, out _));
        Assert.False(StoreObjectFormat.TryDeserialize(DataType.Hash, [1, .. Enumerable.Repeat((byte)0xFF, 11)], _settings, out _));
        Assert.True(StoreObjectFormat.TryDeserialize(DataType.Hash, [1, 0], _settings, out var empty));
        Assert.Equal(0, empty.Count);
    }

    [Fact]
    public void RestoreCommandsAreHsetsOfAtMostSixtyFourFields()
    {
        var hash = new HashObject();
        for (var i = 0; i < 130; i++)
        {
            hash.Set(B($"f{i}"), B($"v{i}"), _settings);
        }

        var output = new ArrayBufferWriter<byte>();
        hash.WriteRestoreCommands("k"u8, output);
        var text = S(output.WrittenSpan);
        Assert.Equal(3, text.Split("$4\r\nHSET\r\n$1\r\nk\r\n").Length - 1);
        Assert.StartsWith("*130\r\n$4\r\nHSET\r\n$1\r\nk\r\n$2\r\nf0\r\n$2\r\nv0\r\n", text, StringComparison.Ordinal);
        Assert.Contains("*130\r\n$4\r\nHSET\r\n$1\r\nk\r\n$3\r\nf64\r\n", text, StringComparison.Ordinal);
        Assert.Contains("*6\r\n$4\r\nHSET\r\n$1\r\nk\r\n$4\r\nf128\r\n$4\r\nv128\r\n$4\r\nf129\r\n$4\r\nv129\r\n", text, StringComparison.Ordinal);
        Assert.EndsWith("$4\r\nv129\r\n", text, StringComparison.Ordinal);
    }
}
