using System.Buffers;
using System.Text;
using PepperCache.Protocol;

namespace PepperCache.Client;

/// <summary>Encodes a command as RESP2 multibulk: <c>*N</c> then one bulk string per argument.</summary>
public static class RespCommandWriter
{
    /// <summary>Writes <paramref name="arguments"/> as one command; each argument is sent as it is (binary-safe).</summary>
    /// <param name="writer">Where the command goes, such as a connection's <c>PipeWriter</c>.</param>
    /// <param name="arguments">The command name, then its arguments.</param>
    public static void WriteCommand(this IBufferWriter<byte> writer, IReadOnlyList<byte[]> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        writer.WriteArrayHeader(arguments.Count);
        for (var i = 0; i < arguments.Count; i++)
        {
            writer.WriteBulkString(arguments[i]);
        }
    }

    /// <summary>Writes <paramref name="arguments"/> as one command, each argument as UTF-8.</summary>
    /// <param name="writer">Where the command goes, such as a connection's <c>PipeWriter</c>.</param>
    /// <param name="arguments">The command name, then its arguments.</param>
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
