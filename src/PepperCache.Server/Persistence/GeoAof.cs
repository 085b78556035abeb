using System.Globalization;
using PepperCache.Protocol;

namespace PepperCache.Server.Persistence;

/// <summary>How geo writes reach the log: as the sorted-set commands they amount to, as Redis propagates them.</summary>
internal static class GeoAof
{
    /// <summary>
    /// GEOADD as the ZADD Redis rewrites it into: the key and options as sent, then each member's integer score
    /// and the member; replay needs no geo code and gives the same scores.
    /// </summary>
    public static void Add(AofFeed feed, RespRequest request, int first)
    {
        if (feed.Target is not { } target)
        {
            return;
        }

        var triplets = (request.Count - first) / 3;
        target.WriteArrayHeader(first + (triplets * 2));
        target.WriteBulkString("ZADD"u8);
        for (var i = 1; i < first; i++)
        {
            target.WriteBulkString(request[i]);
        }

        Span<byte> digits = stackalloc byte[20];
        for (var i = first; i < request.Count; i += 3)
        {
            _ = PepperCache.Core.Types.SortedSetScore.TryParse(request[i], out var longitude);
            _ = PepperCache.Core.Types.SortedSetScore.TryParse(request[i + 1], out var latitude);
            var score = PepperCache.Core.Geo.GeoHash.Score(longitude, latitude);
            score.TryFormat(digits, out var length, default, CultureInfo.InvariantCulture);
            target.WriteBulkString(digits[..length]);
            target.WriteBulkString(request[i + 2]);
        }
    }
}
