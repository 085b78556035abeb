using System.Globalization;
using PepperCache.Server.Hosting;

namespace PepperCache.Server.Resp;

/// <summary>Redis's client classes for output buffer limits (a master connection has none).</summary>
internal enum ClientClass
{
    Normal,
    Replica,
    PubSub,
}

/// <summary>
/// One class's output buffer limit: a client whose unsent replies reach <see cref="Hard"/> bytes is closed at once,
/// and one that stays at or above <see cref="Soft"/> bytes for more than <see cref="SoftSeconds"/> seconds is closed
/// too. 0 turns either off.
/// </summary>
internal readonly record struct OutputBufferLimit(long Hard, long Soft, long SoftSeconds)
{
    public bool IsNone => Hard == 0 && Soft == 0;
}

/// <summary>
/// Redis's <c>client-output-buffer-limit</c>: one limit per class, parsed and printed as Redis 7.0 does
/// (<c>normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60</c>). Immutable: CONFIG SET puts a new
/// instance in place.
/// </summary>
internal sealed record OutputBufferLimits(OutputBufferLimit Normal, OutputBufferLimit Replica, OutputBufferLimit PubSub)
{
    /// <summary>Redis's defaults: none for normal clients, 256mb/64mb/60 s for replicas, 32mb/8mb/60 s for subscribers.</summary>
    public static OutputBufferLimits Default { get; } = new(
        new(0, 0, 0),
        new(256L * 1024 * 1024, 64L * 1024 * 1024, 60),
        new(32L * 1024 * 1024, 8L * 1024 * 1024, 60));

    public OutputBufferLimit this[ClientClass which] => which switch
    {
        ClientClass.Replica => Replica,
        ClientClass.PubSub => PubSub,
        _ => Normal,
    };

    /// <summary>As CONFIG GET prints it: Redis 7.0 names replicas "slave" there.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"normal {Normal.Hard} {Normal.Soft} {Normal.SoftSeconds} slave {Replica.Hard} {Replica.Soft} {Replica.SoftSeconds} pubsub {PubSub.Hard} {PubSub.Soft} {PubSub.SoftSeconds}");

    /// <summary>
    /// Parses <c>&lt;class&gt; &lt;hard&gt; &lt;soft&gt; &lt;soft seconds&gt;</c> groups over <paramref name="current"/>, all or nothing, as
    /// Redis 7.0's CONFIG SET does: words split on single spaces, classes named normal, replica or slave, or pubsub (any
    /// case), sizes in Redis's memory units, seconds a base-10 integer. Returns Redis's reason text when refused.
    /// </summary>
    public static string? TryParse(string text, OutputBufferLimits current, out OutputBufferLimits result)
    {
        result = current;
        var words = text.Length == 0 ? [] : text.Split(' ');
        if (words.Length % 4 != 0)
        {
            return "Wrong number of arguments in buffer limit configuration.";
        }

        var parsed = current;
        for (var i = 0; i < words.Length; i += 4)
        {
            if (ParseClass(words[i]) is not { } which)
            {
                return "Invalid client class specified in buffer limit configuration.";
            }

            if (!TryParseSize(words[i + 1], out var hard) || !TryParseSize(words[i + 2], out var soft) ||
                !TryParseSeconds(words[i + 3], out var seconds))
            {
                return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
            }

            var limit = new OutputBufferLimit(hard, soft, seconds);
            parsed = which switch
            {
                ClientClass.Replica => parsed with { Replica = limit },
                ClientClass.PubSub => parsed with { PubSub = limit },
                _ => parsed with { Normal = limit },
            };
        }

        result = parsed;
        return null;
    }

    private static ClientClass? ParseClass(string name) => name.ToLowerInvariant() switch
    {
        "normal" => ClientClass.Normal,
        "replica" or "slave" => ClientClass.Replica,
        "pubsub" => ClientClass.PubSub,
        // "master" is a class elsewhere in Redis, but has no output buffer limit.
        _ => null,
    };

    /// <summary>Redis's memtoull: digits then an optional unit; no sign.</summary>
    private static bool TryParseSize(string word, out long bytes)
    {
        bytes = 0;
        return !word.StartsWith('+') && !word.StartsWith('-') && MemorySize.TryParse(word, out bytes);
    }

    /// <summary>
    /// strtoll as Redis calls it: an optional sign, then digits to the end (none at all is 0); negative or out of
    /// range is refused, and the value is kept as an unsigned 32-bit number (Redis's field), so 99999999999 reads as 1215752191.
    /// </summary>
    private static bool TryParseSeconds(string word, out long seconds)
    {
        seconds = 0;
        if (word.Length == 0)
        {
            return true;
        }

        if (!long.TryParse(word, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            return false;
        }

        seconds = (uint)value;
        return true;
    }
}
