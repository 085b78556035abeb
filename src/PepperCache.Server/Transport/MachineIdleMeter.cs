namespace PepperCache.Server.Transport;

/// <summary>
/// How much of the machine's CPU nobody used over a window, in thousandths of a core, from the first line of
/// <c>/proc/stat</c> (idle and iowait ticks). A second loop thread only helps when there is a core for it: where the
/// node's clients hold the other cores, it would take its time from them.
/// </summary>
internal sealed class MachineIdleMeter : IDisposable
{
    // USER_HZ, the unit of /proc/stat's counters, is 100 on every Linux the runtime supports.
    private const long TicksPerSecond = 100;

    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle? _stat;
    private long _since;
    private long _idleSince;

    public MachineIdleMeter()
    {
        try
        {
            _stat = File.OpenHandle("/proc/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            // No /proc (a sandbox): the loops wake on their own load alone.
        }

        Restart();
    }

    private void Restart()
    {
        _since = Environment.TickCount64;
        _idleSince = ReadIdleTicks();
    }

    /// <summary>Idle cores since the last read, in thousandths; <see cref="int.MaxValue"/> when /proc/stat cannot be read.</summary>
    public int Read()
    {
        var idle = ReadIdleTicks();
        var now = Environment.TickCount64;
        var elapsed = now - _since;
        if (idle < 0 || _idleSince < 0 || elapsed <= 0)
        {
            _since = now;
            _idleSince = idle;
            return int.MaxValue;
        }

        var permille = IdlePermille(idle - _idleSince, elapsed);
        _since = now;
        _idleSince = idle;
        return permille;
    }

    /// <summary>Idle cores, in thousandths, from the idle ticks counted over <paramref name="elapsedMilliseconds"/>.</summary>
    internal static int IdlePermille(long idleTicks, long elapsedMilliseconds) =>
        (int)Math.Clamp(idleTicks * 1000 * 1000 / (elapsedMilliseconds * TicksPerSecond), 0, int.MaxValue - 1);

    private long ReadIdleTicks()
    {
        if (_stat is null)
        {
            return -1;
        }

        Span<byte> text = stackalloc byte[256];
        try
        {
            return ParseIdleTicks(text[..RandomAccess.Read(_stat, text, 0)]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ObjectDisposedException)
        {
            return -1;
        }
    }

    /// <summary>
    /// The idle and iowait ticks of /proc/stat's first line, "cpu  user nice system idle iowait irq ...", the 4th and
    /// 5th numbers; -1 if the text does not start so.
    /// </summary>
    internal static long ParseIdleTicks(ReadOnlySpan<byte> text)
    {
        var end = text.IndexOf((byte)'\n');
        var line = end >= 0 ? text[..end] : text;
        long idle = 0;
        var field = 0;
        var i = 0;
        while (i < line.Length && field < 6)
        {
            while (i < line.Length && line[i] == (byte)' ')
            {
                i++;
            }

            var start = i;
            while (i < line.Length && line[i] != (byte)' ')
            {
                i++;
            }

            var word = line[start..i];
            if (field == 0)
            {
                if (!word.SequenceEqual("cpu"u8))
                {
                    return -1;
                }
            }
            else if (!System.Buffers.Text.Utf8Parser.TryParse(word, out long value, out var used) || used != word.Length)
            {
                return -1;
            }
            else if (field >= 4)
            {
                idle += value;
            }

            field++;
        }

        return field == 6 ? idle : -1;
    }

    public void Dispose() => _stat?.Dispose();
}
