using System.Globalization;
using System.Text;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>An error reply (<c>-ERR ...</c>), kept apart from status replies so tests can tell them apart.</summary>
public sealed record RespError(string Message);

/// <summary>
/// Reads one whole RESP2 reply from a <see cref="RawRespClient"/> for replies whose exact bytes vary (INFO, CLIENT
/// LIST, COMMAND): simple strings become <see cref="string"/>, errors <see cref="RespError"/>, integers
/// <see cref="long"/>, bulk strings <see cref="string"/> (null for $-1), arrays <see cref="List{T}"/>.
/// </summary>
public static class RespReplyReader
{
    /// <summary>Sends a command (as RESP, one bulk per argument) and reads its reply.</summary>
    public static async Task<object?> CommandAsync(this RawRespClient client, params string[] arguments)
    {
        await client.SendAsync(Encode(arguments));
        return await client.ReadReplyAsync();
    }

    /// <summary>A command as RESP: <c>*N</c> then one bulk string per argument.</summary>
    public static string Encode(params string[] arguments)
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"*{arguments.Length}\r\n");
        foreach (var argument in arguments)
        {
            text.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(argument)}\r\n{argument}\r\n");
        }

        return text.ToString();
    }

    public static async Task<object?> ReadReplyAsync(this RawRespClient client)
    {
        var line = await ReadLineAsync(client);
        var payload = line[1..];
        switch (line[0])
        {
            case '+':
                return payload;
            case '-':
                return new RespError(payload);
            case ':':
                return long.Parse(payload, CultureInfo.InvariantCulture);
            case '$':
                var length = int.Parse(payload, CultureInfo.InvariantCulture);
                if (length < 0)
                {
                    return null;
                }

                var body = await client.ReadExactlyAsync(length + 2);
                Assert.EndsWith("\r\n", body, StringComparison.Ordinal);
                return body[..^2];
            case '*':
                var count = int.Parse(payload, CultureInfo.InvariantCulture);
                if (count < 0)
                {
                    return null;
                }

                var items = new List<object?>(count);
                for (var i = 0; i < count; i++)
                {
                    items.Add(await client.ReadReplyAsync());
                }

                return items;
            default:
                throw new InvalidDataException($"Not a RESP2 reply: '{line}'");
        }
    }

    /// <summary>A flat name/value array (CONFIG GET, HELLO, COMMAND DOCS entries) as a dictionary.</summary>
    public static Dictionary<string, object?> AsMap(object? reply)
    {
        var items = Assert.IsType<List<object?>>(reply);
        Assert.True(items.Count % 2 == 0, "a map reply has an even number of elements");
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i += 2)
        {
            map.Add(Assert.IsType<string>(items[i]), items[i + 1]);
        }

        return map;
    }

    private static async Task<string> ReadLineAsync(RawRespClient client)
    {
        var line = new StringBuilder();
        while (!line.ToString().EndsWith("\r\n", StringComparison.Ordinal))
        {
            var next = await client.ReadExactlyAsync(1);
            if (next.Length == 0)
            {
                throw new EndOfStreamException($"Connection closed after '{line}'");
            }

            line.Append(next);
        }

        return line.ToString(0, line.Length - 2);
    }
}
