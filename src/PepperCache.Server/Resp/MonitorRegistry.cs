using System.Buffers;
using System.Globalization;
using System.Text;
using PepperCache.Protocol;

namespace PepperCache.Server.Resp;

/// <summary>
/// The connections in MONITOR mode and the feed to them. Nobody monitoring costs the dispatcher one volatile read
/// per command (<see cref="Active"/>); the line is built only when somebody is.
/// </summary>
internal sealed class MonitorRegistry
{
    // Copy on write: feeds read it without a lock from every connection; MONITOR, RESET and disconnects replace it.
    private volatile MonitorStream[] _streams = [];
    private readonly Lock _lock = new();

    public bool Active => _streams.Length != 0;

    public int Count => _streams.Length;

    public void Add(MonitorStream stream)
    {
        lock (_lock)
        {
            _streams = [.. _streams, stream];
        }
    }

    public void Remove(MonitorStream stream)
    {
        lock (_lock)
        {
            _streams = Array.FindAll(_streams, s => s != stream);
        }
    }

    /// <summary>
    /// Sends the command <paramref name="context"/> just ran to every monitor, as Redis's replicationFeedMonitors:
    /// <c>+seconds.micros [db addr] "arg" ...</c> with each argument quoted and escaped, secrets redacted.
    /// </summary>
    public void Feed(CommandContext context)
    {
        var streams = _streams;
        if (streams.Length == 0)
        {
            return;
        }

        var line = Format(context.Request, context.Command, context.Client.RemoteAddress, context.Store.TimeProvider.GetUtcNow());
        foreach (var stream in streams)
        {
            stream.Enqueue(line);
        }
    }

    internal static byte[] Format(RespRequest request, CommandDefinition command, string address, DateTimeOffset when)
    {
        var micros = (when.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        var line = new ArrayBufferWriter<byte>(64);
        Append(line, string.Create(CultureInfo.InvariantCulture, $"+{micros / 1_000_000}.{micros % 1_000_000:D6} [0 {address}]"));
        for (var i = 0; i < request.Count; i++)
        {
            line.Write(" "u8);
            if (SlowLog.Redact(command, request, i))
            {
                line.Write("\"(redacted)\""u8);
            }
            else
            {
                AppendQuoted(line, request[i]);
            }
        }

        line.Write("\r\n"u8);
        return line.WrittenSpan.ToArray();
    }

    /// <summary>Redis's sdscatrepr: in double quotes, \\ and \" escaped, \n \r \t \a \b named, other unprintable bytes as \xhh.</summary>
    internal static void AppendQuoted(IBufferWriter<byte> line, ReadOnlySpan<byte> value)
    {
        var span = line.GetSpan(value.Length * 4 + 2);
        var n = 0;
        span[n++] = (byte)'"';
        foreach (var b in value)
        {
            switch (b)
            {
                case (byte)'\\' or (byte)'"':
                    span[n++] = (byte)'\\';
                    span[n++] = b;
                    break;
                case (byte)'\n': n += Escape(span[n..], (byte)'n'); break;
                case (byte)'\r': n += Escape(span[n..], (byte)'r'); break;
                case (byte)'\t': n += Escape(span[n..], (byte)'t'); break;
                case 7: n += Escape(span[n..], (byte)'a'); break;
                case 8: n += Escape(span[n..], (byte)'b'); break;
                case >= 0x20 and <= 0x7e:
                    span[n++] = b;
                    break;
                default:
                    span[n++] = (byte)'\\';
                    span[n++] = (byte)'x';
                    span[n++] = (byte)"0123456789abcdef"[b >> 4];
                    span[n++] = (byte)"0123456789abcdef"[b & 15];
                    break;
            }
        }

        span[n++] = (byte)'"';
        line.Advance(n);
    }

    private static int Escape(Span<byte> span, byte letter)
    {
        span[0] = (byte)'\\';
        span[1] = letter;
        return 2;
    }

    private static void Append(IBufferWriter<byte> line, string text) => line.Write(Encoding.UTF8.GetBytes(text));
}
