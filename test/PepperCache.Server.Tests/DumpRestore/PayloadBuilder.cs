using System.Buffers.Binary;
using System.Text;
using PepperCache.Core.Rdb;

namespace PepperCache.Server.Tests.DumpRestore;

/// <summary>
/// Hand-made DUMP payloads in the encodings Redis 7.0 still loads but no longer writes (ziplist, zipmap, quicklist of
/// ziplists, plain lists, text-scored sorted sets), and broken ones: an RDB body, then the version and the CRC-64.
/// </summary>
internal static class PayloadBuilder
{
    public static byte[] Seal(byte[] body, ushort version = 10)
    {
        var payload = new byte[body.Length + 10];
        body.CopyTo(payload, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(body.Length), version);
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(body.Length + 2), Crc64Jones.Compute(payload.AsSpan(0, body.Length + 2)));
        return payload;
    }

    /// <summary>The body of a sealed payload (type byte and object), without version and CRC.</summary>
    public static byte[] Body(byte[] payload) => payload[..^10];

    public static byte[] Length(long length) => length switch
    {
        < 64 => [(byte)length],
        < 16384 => [(byte)(0x40 | (length >> 8)), (byte)length],
        _ => [0x80, (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length],
    };

    public static byte[] String(byte[] value) => [.. Length(value.Length), .. value];

    public static byte[] String(string value) => String(Encoding.Latin1.GetBytes(value));

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>A ziplist of <paramref name="elements"/>: integers (long) in their smallest encoding, strings (string) as text.</summary>
    public static byte[] Ziplist(params object[] elements)
    {
        var entries = new List<byte>();
        var previous = 0;
        var tail = 10;
        foreach (var element in elements)
        {
            var entry = new List<byte>();
            if (previous < 254)
            {
                entry.Add((byte)previous);
            }
            else
            {
                entry.Add(0xFE);
                entry.AddRange(BitConverter.GetBytes(previous));
            }

            if (element is long value)
            {
                entry.AddRange(ZiplistInteger(value));
            }
            else
            {
                var bytes = Encoding.Latin1.GetBytes((string)element);
                entry.AddRange(bytes.Length switch
                {
                    < 64 => [(byte)bytes.Length],
                    < 16384 => [(byte)(0x40 | (bytes.Length >> 8)), (byte)bytes.Length],
                    _ => [0x80, (byte)(bytes.Length >> 24), (byte)(bytes.Length >> 16), (byte)(bytes.Length >> 8), (byte)bytes.Length],
                });
                entry.AddRange(bytes);
            }

            tail = 10 + entries.Count;
            entries.AddRange(entry);
            previous = entry.Count;
        }

        var zl = new byte[10 + entries.Count + 1];
        BinaryPrimitives.WriteUInt32LittleEndian(zl, (uint)zl.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(zl.AsSpan(4), (uint)tail);
        BinaryPrimitives.WriteUInt16LittleEndian(zl.AsSpan(8), (ushort)elements.Length);
        entries.CopyTo(zl, 10);
        zl[^1] = 0xFF;
        return zl;
    }

    private static byte[] ZiplistInteger(long value) => value switch
    {
        >= 0 and <= 12 => [(byte)(0xF1 + value)],
        >= sbyte.MinValue and <= sbyte.MaxValue => [0xFE, (byte)value],
        >= short.MinValue and <= short.MaxValue => [0xC0, .. BitConverter.GetBytes((short)value)],
        >= -(1 << 23) and < 1 << 23 => [0xF0, (byte)value, (byte)(value >> 8), (byte)(value >> 16)],
        >= int.MinValue and <= int.MaxValue => [0xD0, .. BitConverter.GetBytes((int)value)],
        _ => [0xE0, .. BitConverter.GetBytes(value)],
    };

    /// <summary>A zipmap (Redis before 2.6) of field/value pairs, each value followed by <paramref name="free"/> unused bytes.</summary>
    public static byte[] Zipmap(int free, params string[] pairs)
    {
        var bytes = new List<byte> { (byte)(pairs.Length / 2) };
        for (var i = 0; i < pairs.Length; i++)
        {
            var text = Encoding.Latin1.GetBytes(pairs[i]);
            bytes.Add((byte)text.Length);
            if (i % 2 == 1)
            {
                bytes.Add((byte)free);
            }

            bytes.AddRange(text);
            if (i % 2 == 1)
            {
                bytes.AddRange(new byte[free]);
            }
        }

        bytes.Add(0xFF);
        return [.. bytes];
    }

    /// <summary>An intset of <paramref name="width"/> bytes per member (Redis keeps the width it grew to).</summary>
    public static byte[] Intset(int width, params long[] members)
    {
        var blob = new byte[8 + (width * members.Length)];
        BinaryPrimitives.WriteUInt32LittleEndian(blob, (uint)width);
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(4), (uint)members.Length);
        for (var i = 0; i < members.Length; i++)
        {
            BitConverter.GetBytes(members[i]).AsSpan(0, width).CopyTo(blob.AsSpan(8 + (i * width)));
        }

        return blob;
    }

    /// <summary>RDB_TYPE_ZSET's text score: a length byte and the characters (253 NaN, 254 +inf, 255 -inf).</summary>
    public static byte[] TextScore(string score) => score switch
    {
        "inf" => [254],
        "-inf" => [255],
        _ => [(byte)score.Length, .. Encoding.ASCII.GetBytes(score)],
    };
}
