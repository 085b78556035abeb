using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace PepperCache.Server.Resp;

/// <summary>
/// Error replies counted as Redis 7 counts them: INFO stats <c>total_error_replies</c>, and per error code (the first
/// word of the reply: ERR, WRONGTYPE, MOVED...) INFO errorstats <c>errorstat_ERR:count=N</c>. Every error a client gets
/// is counted, protocol errors included, whatever wrote it (<see cref="CommandContext.WriteError(ReadOnlySpan{byte})"/>,
/// the dispatcher, routing, the connection).
/// </summary>
/// <remarks>
/// Errors are not the hot path, so the counters are shared (one interlocked add per error), and a code is looked up
/// without allocating. As in Redis, at most 128 codes are kept (past that new codes only count in the total); the
/// codes come from the server's own messages, so the limit is never near.
/// </remarks>
internal sealed class ErrorStatistics
{
    /// <summary>Redis's ERRORSTATS_LIMIT.</summary>
    internal const int MaxCodes = 128;

    // Redis looks for the space ending the code in the first 32 bytes of "-CODE ...", so in the first 31 of the text
    // after the '-'; without one the code is ERR.
    private const int MaxCodeSearch = 31;

    // Monotonic, for /metrics (Prometheus counters never go back); INFO reports them less the CONFIG RESETSTAT point.
    private readonly ConcurrentDictionary<string, StrongBox<long>> _byCode = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox<long>>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private long _total;
    private volatile ResetPoint _reset = new(0, new Dictionary<string, long>());

    public ErrorStatistics() => _lookup = _byCode.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>INFO stats total_error_replies: since start-up or CONFIG RESETSTAT.</summary>
    public long Total => RawTotal - _reset.Total;

    /// <summary>Error replies since start-up.</summary>
    public long RawTotal => Interlocked.Read(ref _total);

    /// <summary>Counts one error reply, <paramref name="message"/> being its text without the leading '-'.</summary>
    public void Count(ReadOnlySpan<byte> message)
    {
        Span<char> code = stackalloc char[MaxCodeSearch];
        var length = CodeLength(message);
        for (var i = 0; i < length; i++)
        {
            code[i] = (char)message[i];
        }

        Add(length == 0 ? "ERR".AsSpan() : code[..length]);
    }

    /// <summary>Counts one error reply given as text.</summary>
    public void Count(ReadOnlySpan<char> message)
    {
        var space = message[..Math.Min(message.Length, MaxCodeSearch)].IndexOf(' ');
        Add(space > 0 ? message[..space] : "ERR".AsSpan());
    }

    /// <summary>Each code with its count since start-up or CONFIG RESETSTAT, in code order (Redis lists them from a radix tree).</summary>
    public List<KeyValuePair<string, long>> ByCode()
    {
        var reset = _reset;
        return [.. RawByCode().Select(e => KeyValuePair.Create(e.Key, e.Value - reset.ByCode.GetValueOrDefault(e.Key))).Where(e => e.Value > 0)];
    }

    /// <summary>Each code with its count since start-up, in code order.</summary>
    public List<KeyValuePair<string, long>> RawByCode() =>
        [.. _byCode.Select(e => KeyValuePair.Create(e.Key, Interlocked.Read(ref e.Value.Value))).OrderBy(e => e.Key, StringComparer.Ordinal)];

    /// <summary>CONFIG RESETSTAT: INFO counts from 0 again (the codes already seen stay among the 128 kept).</summary>
    public void Reset() => _reset = new ResetPoint(RawTotal, RawByCode().ToDictionary(StringComparer.Ordinal));

    private sealed record ResetPoint(long Total, Dictionary<string, long> ByCode);

    private static int CodeLength(ReadOnlySpan<byte> message)
    {
        var space = message[..Math.Min(message.Length, MaxCodeSearch)].IndexOf((byte)' ');
        return space > 0 ? space : 0;
    }

    private void Add(ReadOnlySpan<char> code)
    {
        Interlocked.Increment(ref _total);
        if (_lookup.TryGetValue(code, out var count))
        {
            Interlocked.Increment(ref count.Value);
        }
        else if (_byCode.Count < MaxCodes)
        {
            Interlocked.Increment(ref _byCode.GetOrAdd(code.ToString(), static _ => new StrongBox<long>()).Value);
        }
    }
}
