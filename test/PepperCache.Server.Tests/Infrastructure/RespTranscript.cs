using System.Net.Sockets;
using System.Text;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// Plays a redis-cli-like transcript against a node over a raw socket and checks every reply byte for byte.
/// The same text can be replayed against a real Redis, which is how the expected replies were obtained.
/// </summary>
/// <remarks>
/// Format, one item per line (leading spaces ignored, blank lines and lines starting with '#' skipped):
/// <c>&gt; ARG ARG "quoted arg"</c> sends a command as a RESP array; arguments are split on spaces, double-quoted
/// ones may hold spaces and the escapes \r \n \t \0 \\ \" \xHH (so "" is an empty argument).
/// <c>&lt; text</c> is one line of the expected reply (CRLF is added; the same escapes apply);
/// consecutive <c>&lt;</c> lines form one reply (an array or a bulk string). A lone <c>&lt;</c> is an empty line.
/// </remarks>
public static class RespTranscript
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(System.Net.IPEndPoint endPoint, string transcript)
    {
        using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint, TestContext.Current.CancellationToken);
        foreach (var (command, expected) in Parse(transcript))
        {
            await socket.SendAsync(EncodeCommand(command), SocketFlags.None, TestContext.Current.CancellationToken);
            var actual = await ReadAsync(socket, expected.Length);
            Assert.True(
                actual.AsSpan().SequenceEqual(expected),
                $"{Describe(command)}\nexpected: {Show(expected)}\nactual:   {Show(actual)}");
        }
    }

    /// <summary>The (command, exact reply) pairs of a transcript.</summary>
    public static List<(List<byte[]> Command, byte[] Reply)> Parse(string transcript)
    {
        var steps = new List<(List<byte[]>, byte[])>();
        List<byte[]>? command = null;
        var reply = new List<byte>();
        foreach (var rawLine in transcript.Split('\n'))
        {
            var line = rawLine.TrimStart().TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line[0] == '>')
            {
                Flush();
                command = Tokenize(line[1..]);
            }
            else if (line[0] == '<')
            {
                if (command is null)
                {
                    throw new FormatException($"Reply line before any command: {line}");
                }

                reply.AddRange(Unescape(line.Length > 1 ? line[2..] : string.Empty));
                reply.Add((byte)'\r');
                reply.Add((byte)'\n');
            }
            else
            {
                throw new FormatException($"Transcript lines start with '>' or '<': {line}");
            }
        }

        Flush();
        return steps;

        void Flush()
        {
            if (command is not null)
            {
                if (reply.Count == 0)
                {
                    throw new FormatException($"No reply given for {Describe(command)}");
                }

                steps.Add((command, [.. reply]));
            }

            command = null;
            reply.Clear();
        }
    }

    public static byte[] EncodeCommand(IReadOnlyList<byte[]> arguments)
    {
        var bytes = new List<byte>();
        bytes.AddRange(Encoding.ASCII.GetBytes($"*{arguments.Count}\r\n"));
        foreach (var argument in arguments)
        {
            bytes.AddRange(Encoding.ASCII.GetBytes($"${argument.Length}\r\n"));
            bytes.AddRange(argument);
            bytes.Add((byte)'\r');
            bytes.Add((byte)'\n');
        }

        return [.. bytes];
    }

    /// <summary>One command line of a transcript as its arguments (quotes and escapes as described above).</summary>
    public static List<byte[]> Tokenize(string text)
    {
        var tokens = new List<byte[]>();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == ' ')
            {
                i++;
                continue;
            }

            if (text[i] == '"')
            {
                var end = i + 1;
                while (end < text.Length && text[end] != '"')
                {
                    end += text[end] == '\\' ? 2 : 1;
                }

                if (end >= text.Length)
                {
                    throw new FormatException($"Unterminated quote in: {text}");
                }

                tokens.Add(Unescape(text[(i + 1)..end]));
                i = end + 1;
            }
            else
            {
                var end = text.IndexOf(' ', i);
                end = end < 0 ? text.Length : end;
                tokens.Add(Encoding.UTF8.GetBytes(text[i..end]));
                i = end;
            }
        }

        return tokens;
    }

    private static byte[] Unescape(string text)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 == text.Length)
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
                continue;
            }

            var next = text[++i];
            switch (next)
            {
                case 'r': bytes.Add((byte)'\r'); break;
                case 'n': bytes.Add((byte)'\n'); break;
                case 't': bytes.Add((byte)'\t'); break;
                case '0': bytes.Add(0); break;
                case 'x':
                    bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                    i += 2;
                    break;
                default: bytes.Add((byte)next); break;
            }
        }

        return [.. bytes];
    }

    private static async Task<byte[]> ReadAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(Timeout);
        var read = 0;
        try
        {
            while (read < count)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cts.Token);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            // Fewer bytes than expected arrived: return them so the assertion shows what the server did say.
        }

        return buffer[..read];
    }

    private static string Describe(IEnumerable<byte[]> command) =>
        "> " + string.Join(' ', command.Select(a => Show(a)));

    internal static string Show(byte[] bytes)
    {
        var text = new StringBuilder();
        foreach (var b in bytes)
        {
            text.Append(b switch
            {
                (byte)'\r' => "\\r",
                (byte)'\n' => "\\n",
                < 0x20 or >= 0x7f => $"\\x{b:x2}",
                _ => ((char)b).ToString(),
            });
        }

        return text.ToString();
    }
}
