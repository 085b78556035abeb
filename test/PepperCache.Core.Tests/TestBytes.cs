using System.Buffers;
using System.Text;
using PepperCache.Protocol;

namespace PepperCache.Core.Tests;

/// <summary>Byte helpers: Latin-1 maps each char to one byte, so "\xff" in a test string is the byte 0xFF.</summary>
internal static class TestBytes
{
    public static byte[] B(string text) => Encoding.Latin1.GetBytes(text);

    public static string S(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    /// <summary>A parsed request holding <paramref name="arguments"/>, as a connection would hand it to a command.</summary>
    public static RespRequest Request(params string[] arguments)
    {
        var frame = new StringBuilder().Append('*').Append(arguments.Length).Append("\r\n");
        foreach (var argument in arguments)
        {
            frame.Append('$').Append(Encoding.Latin1.GetByteCount(argument)).Append("\r\n").Append(argument).Append("\r\n");
        }

        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(B(frame.ToString())));
        var request = new RespRequest();
        Assert.True(RespParser.TryReadCommand(ref reader, request));
        return request;
    }
}
