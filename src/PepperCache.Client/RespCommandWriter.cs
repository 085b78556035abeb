using System.Buffers;
using System.Text;
using PepperCache.Protocol;

namespace PepperCache.Client;

/// <summary>Encodes a command as RESP2 multibulk: <c>*N</c> then one bulk string per argument.</summary>
public static class RespCommandWriter
{
    public static void WriteCommand(this IBufferWriter<byte> writer, IReadOnlyList<byte[]> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        writer.WriteArrayHeader(arguments.Count);
        for (var i = 0; i < arguments.Count; i++)
        {
            writer.WriteBulkString(arguments[i]);
        }
    }

    public static void WriteCommand(this IBufferWriter<byte> writer, IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        writer.WriteArrayHeader(arguments.Count);
        for (var i = 0; i < arguments.Count; i++)
        {
            writer.WriteBulkString(arguments[i]);
        }
    }

    /// <summary>The command's bytes, for tests and tools that send pre-encoded commands.</summary>
    public static byte[] Encode(params string[] arguments)
    {
        var buffer = new ArrayBufferWriter<byte>();
        buffer.WriteCommand(arguments);
        return buffer.WrittenSpan.ToArray();
    }

    internal static byte[][] ToBytes(IReadOnlyList<string> arguments)
    {
        var bytes = new byte[arguments.Count][];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = Encoding.UTF8.GetBytes(arguments[i]);
        }

        return bytes;
    }
}
