using PepperCache.Core.Geo;

namespace PepperCache.Server.Commands;

/// <summary>Redis 7.0's error texts for the geo commands.</summary>
internal static class GeoErrors
{
    public static ReadOnlySpan<byte> UnsupportedUnit => "ERR unsupported unit provided. please use M, KM, FT, MI"u8;
    public static ReadOnlySpan<byte> NeedNumericRadius => "ERR need numeric radius"u8;
    public static ReadOnlySpan<byte> NeedNumericWidth => "ERR need numeric width"u8;
    public static ReadOnlySpan<byte> NeedNumericHeight => "ERR need numeric height"u8;
    public static ReadOnlySpan<byte> NegativeRadius => "ERR radius cannot be negative"u8;
    public static ReadOnlySpan<byte> NegativeBox => "ERR height or width cannot be negative"u8;
    public static ReadOnlySpan<byte> UndecodableMember => "ERR could not decode requested zset member"u8;
    public static ReadOnlySpan<byte> CountNotPositive => "ERR COUNT must be > 0"u8;
    public static ReadOnlySpan<byte> AnyNeedsCount => "ERR the ANY argument requires COUNT argument"u8;

    /// <summary>extractLongLatOrReply's error: both values in <c>%f</c>.</summary>
    public static string InvalidPair(double longitude, double latitude) =>
        $"ERR invalid longitude,latitude pair {GeoFormat.Fixed(longitude, 6)},{GeoFormat.Fixed(latitude, 6)}";

    public static string StoreWithOptions(bool geoSearchStore) =>
        $"ERR {(geoSearchStore ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS")} is not compatible with WITHDIST, WITHHASH and WITHCOORD options";

    /// <summary>The command's name as the client typed it, as Redis prints argv[0].</summary>
    public static string NeedsFrom(string command) => $"ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {command}";

    public static string NeedsBy(string command) => $"ERR exactly one of BYRADIUS and BYBOX can be specified for {command}";
}
