using System.Buffers;
using PepperCache.Protocol;

namespace PepperCache.Server.Persistence;

/// <summary>Encodes log records: RESP arrays of bulk strings, the form Redis writes to its AOF.</summary>
internal static class AofRecords
{
    /// <summary>SET key value, with PXAT when <paramref name="expiresAt"/> (Unix ms) is not 0.</summary>
    public static void WriteSet(IBufferWriter<byte> output, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long expiresAt)
    {
        output.WriteArrayHeader(expiresAt != 0 ? 5 : 3);
        output.WriteBulkString("SET"u8);
        output.WriteBulkString(key);
        output.WriteBulkString(value);
        if (expiresAt != 0)
        {
            output.WriteBulkString("PXAT"u8);
            output.WriteBulkString(expiresAt);
        }
    }

    public static void WriteCommand(IBufferWriter<byte> output, ReadOnlySpan<byte> name, ReadOnlySpan<byte> key)
    {
        output.WriteArrayHeader(2);
        output.WriteBulkString(name);
        output.WriteBulkString(key);
    }

    public static void WriteCommand(IBufferWriter<byte> output, ReadOnlySpan<byte> name, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        output.WriteArrayHeader(3);
        output.WriteBulkString(name);
        output.WriteBulkString(first);
        output.WriteBulkString(second);
    }

    public static void WriteCommand(
        IBufferWriter<byte> output, ReadOnlySpan<byte> name, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, ReadOnlySpan<byte> third)
    {
        output.WriteArrayHeader(4);
        output.WriteBulkString(name);
        output.WriteBulkString(first);
        output.WriteBulkString(second);
        output.WriteBulkString(third);
    }

    public static void WritePExpireAt(IBufferWriter<byte> output, ReadOnlySpan<byte> key, long expiresAt)
    {
        output.WriteArrayHeader(3);
        output.WriteBulkString("PEXPIREAT"u8);
        output.WriteBulkString(key);
        output.WriteBulkString(expiresAt);
    }

    /// <summary>The request as received, with its name replaced by <paramref name="name"/> when one is given.</summary>
    public static void WriteRequest(IBufferWriter<byte> output, RespRequest request, ReadOnlySpan<byte> name = default)
    {
        output.WriteArrayHeader(request.Count);
        output.WriteBulkString(name.IsEmpty ? request[0] : name);
        for (var i = 1; i < request.Count; i++)
        {
            output.WriteBulkString(request[i]);
        }
    }
}
