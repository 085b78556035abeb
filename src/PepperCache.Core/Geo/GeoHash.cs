namespace PepperCache.Core.Geo;

/// <summary>
/// A geohash cell: <see cref="Bits"/> interleave <see cref="Step"/> bits of latitude (even positions) and of
/// longitude (odd positions). Step 0 with bits 0 is Redis's "zero" hash, a neighbour left out of a search.
/// </summary>
public readonly record struct GeoHashBits(ulong Bits, int Step)
{
    public bool IsZero => Bits == 0 && Step == 0;
}

/// <summary>A cell's bounds in degrees.</summary>
public readonly record struct GeoArea(double LongitudeMin, double LongitudeMax, double LatitudeMin, double LatitudeMax);

/// <summary>
/// Redis's geohash.c: the 52-bit interleaved encoding of a position that geo members store as their sorted-set
/// score, its decoding back to the centre of the cell, and the moves to a cell's neighbours. The arithmetic is
/// Redis's, step by step (the same divisions, the same C conversions), so a score decodes to the same doubles.
/// </summary>
public static class GeoHash
{
    /// <summary>Web Mercator's limits, which Redis stores positions within.</summary>
    public const double LongitudeMin = -180;
    public const double LongitudeMax = 180;
    public const double LatitudeMin = -85.05112878;
    public const double LatitudeMax = 85.05112878;

    /// <summary>Redis's GEO_STEP_MAX: 26 bits per coordinate, 52 in all.</summary>
    public const int MaxStep = 26;

    /// <summary>Whether Redis accepts the pair (GEOADD's and the searches' "invalid longitude,latitude pair").</summary>
    public static bool IsValid(double longitude, double latitude) =>
        !(longitude < LongitudeMin || longitude > LongitudeMax || latitude < LatitudeMin || latitude > LatitudeMax);

    /// <summary>
    /// Redis's geohashEncode over the given latitude range (longitude is always ±180): false, with no hash, when the
    /// position is outside the Mercator limits or the range.
    /// </summary>
    public static bool TryEncode(double longitude, double latitude, int step, double latitudeMin, double latitudeMax, out GeoHashBits hash)
    {
        hash = default;
        if (longitude > LongitudeMax || longitude < LongitudeMin || latitude > LatitudeMax || latitude < LatitudeMin)
        {
            return false;
        }

        if (latitude < latitudeMin || latitude > latitudeMax)
        {
            return false;
        }

        var latitudeOffset = (latitude - latitudeMin) / (latitudeMax - latitudeMin);
        var longitudeOffset = (longitude - LongitudeMin) / (LongitudeMax - LongitudeMin);
        latitudeOffset *= 1UL << step;
        longitudeOffset *= 1UL << step;
        // C converts the offsets to uint32_t for interleave64: truncation, and 2^step itself at the upper limit.
        hash = new GeoHashBits(Interleave((uint)latitudeOffset, (uint)longitudeOffset), step);
        return true;
    }

    /// <summary>geohashEncodeWGS84 at <paramref name="step"/> over the Mercator latitude range.</summary>
    public static bool TryEncode(double longitude, double latitude, int step, out GeoHashBits hash) =>
        TryEncode(longitude, latitude, step, LatitudeMin, LatitudeMax, out hash);

    /// <summary>The score a member at this position gets: the 26-step hash (GEOADD's geohashAlign52Bits).</summary>
    public static ulong Score(double longitude, double latitude)
    {
        TryEncode(longitude, latitude, MaxStep, out var hash);
        return Align52(hash);
    }

    /// <summary>The hash's bits moved to the top of a 52-bit value (geohashAlign52Bits).</summary>
    public static ulong Align52(GeoHashBits hash) => hash.Bits << (52 - (hash.Step * 2));

    /// <summary>
    /// Redis's decodeGeohash of a score: the score converted to uint64_t as x86-64 C code does (so a negative or
    /// huge score ZADDed by hand decodes as it does in Redis), decoded at step 26, the centre clamped to the limits.
    /// </summary>
    public static (double Longitude, double Latitude) DecodeScore(double score)
    {
        var area = Decode(new GeoHashBits(ToUInt64(score), MaxStep));
        var longitude = (area.LongitudeMin + area.LongitudeMax) / 2;
        longitude = Math.Min(longitude, LongitudeMax);
        longitude = Math.Max(longitude, LongitudeMin);
        var latitude = (area.LatitudeMin + area.LatitudeMax) / 2;
        latitude = Math.Min(latitude, LatitudeMax);
        latitude = Math.Max(latitude, LatitudeMin);
        return (longitude, latitude);
    }

    /// <summary>geohashDecode over the Mercator ranges: the cell's bounds.</summary>
    public static GeoArea Decode(GeoHashBits hash)
    {
        var separated = Deinterleave(hash.Bits);
        const double latitudeScale = LatitudeMax - LatitudeMin;
        const double longitudeScale = LongitudeMax - LongitudeMin;
        var latitudeCell = (uint)separated;
        var longitudeCell = (uint)(separated >> 32);
        double cells = 1UL << hash.Step;
        // (x + 1) is uint32_t arithmetic in C: it wraps at 2^32 - 1.
        return new GeoArea(
            LongitudeMin + (longitudeCell * 1.0 / cells * longitudeScale),
            LongitudeMin + (unchecked(longitudeCell + 1) * 1.0 / cells * longitudeScale),
            LatitudeMin + (latitudeCell * 1.0 / cells * latitudeScale),
            LatitudeMin + (unchecked(latitudeCell + 1) * 1.0 / cells * latitudeScale));
    }

    /// <summary>
    /// A double to uint64_t as gcc compiles it for x86-64: below 2^63 a signed truncation (cvttsd2si, whose
    /// "integer indefinite" 2^63 covers NaN and what does not fit), otherwise truncation of the value less 2^63.
    /// </summary>
    public static ulong ToUInt64(double value)
    {
        const double TwoTo63 = 9223372036854775808.0;
        if (!(value >= TwoTo63))
        {
            return (ulong)Truncate(value);
        }

        return (ulong)Truncate(value - TwoTo63) ^ 0x8000000000000000UL;
    }

    /// <summary>cvttsd2si: truncation toward zero, or long.MinValue for NaN and values out of range.</summary>
    public static long Truncate(double value) =>
        double.IsNaN(value) || value >= 9223372036854775808.0 || value < -9223372036854775808.0 ? long.MinValue : (long)value;

    /// <summary>The eight neighbours of a cell, as geohashNeighbors moves it (wrapping round at the edges).</summary>
    public static GeoNeighbors Neighbors(GeoHashBits hash) => new()
    {
        East = MoveX(hash, 1),
        West = MoveX(hash, -1),
        South = MoveY(hash, -1),
        North = MoveY(hash, 1),
        NorthWest = MoveY(MoveX(hash, -1), 1),
        SouthWest = MoveY(MoveX(hash, -1), -1),
        NorthEast = MoveY(MoveX(hash, 1), 1),
        SouthEast = MoveY(MoveX(hash, 1), -1),
    };

    /// <summary>geohash_move_x: one cell east (+1) or west (-1) in the longitude (odd) bits.</summary>
    private static GeoHashBits MoveX(GeoHashBits hash, int direction)
    {
        var x = hash.Bits & 0xaaaaaaaaaaaaaaaaUL;
        var y = hash.Bits & 0x5555555555555555UL;
        var zz = 0x5555555555555555UL >> (64 - (hash.Step * 2));
        x = direction > 0 ? x + (zz + 1) : (x | zz) - (zz + 1);
        x &= 0xaaaaaaaaaaaaaaaaUL >> (64 - (hash.Step * 2));
        return hash with { Bits = x | y };
    }

    /// <summary>geohash_move_y: one cell north (+1) or south (-1) in the latitude (even) bits.</summary>
    private static GeoHashBits MoveY(GeoHashBits hash, int direction)
    {
        var x = hash.Bits & 0xaaaaaaaaaaaaaaaaUL;
        var y = hash.Bits & 0x5555555555555555UL;
        var zz = 0xaaaaaaaaaaaaaaaaUL >> (64 - (hash.Step * 2));
        y = direction > 0 ? y + (zz + 1) : (y | zz) - (zz + 1);
        y &= 0x5555555555555555UL >> (64 - (hash.Step * 2));
        return hash with { Bits = x | y };
    }

    /// <summary>Interleaves two 32-bit values: <paramref name="even"/> in the even bit positions, <paramref name="odd"/> in the odd.</summary>
    private static ulong Interleave(uint even, uint odd) => Spread(even) | (Spread(odd) << 1);

    private static ulong Spread(ulong x)
    {
        x = (x | (x << 16)) & 0x0000FFFF0000FFFFUL;
        x = (x | (x << 8)) & 0x00FF00FF00FF00FFUL;
        x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FUL;
        x = (x | (x << 2)) & 0x3333333333333333UL;
        x = (x | (x << 1)) & 0x5555555555555555UL;
        return x;
    }

    /// <summary>The even bits compacted into the low 32, the odd bits into the high 32 (deinterleave64).</summary>
    private static ulong Deinterleave(ulong interleaved) => Compact(interleaved) | (Compact(interleaved >> 1) << 32);

    private static ulong Compact(ulong x)
    {
        x &= 0x5555555555555555UL;
        x = (x | (x >> 1)) & 0x3333333333333333UL;
        x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FUL;
        x = (x | (x >> 4)) & 0x00FF00FF00FF00FFUL;
        x = (x | (x >> 8)) & 0x0000FFFF0000FFFFUL;
        x = (x | (x >> 16)) & 0x00000000FFFFFFFFUL;
        return x;
    }
}

/// <summary>A cell's eight neighbours; any may be zeroed when a search leaves it out.</summary>
public struct GeoNeighbors
{
    public GeoHashBits North { get; set; }
    public GeoHashBits South { get; set; }
    public GeoHashBits East { get; set; }
    public GeoHashBits West { get; set; }
    public GeoHashBits NorthEast { get; set; }
    public GeoHashBits NorthWest { get; set; }
    public GeoHashBits SouthEast { get; set; }
    public GeoHashBits SouthWest { get; set; }
}
