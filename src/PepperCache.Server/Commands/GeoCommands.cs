using System.Buffers;
using PepperCache.Core.Geo;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Persistence;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>
/// The geo commands, Redis 7.0's geo.c: positions are sorted-set members whose score is the 52-bit geohash of the
/// position (<see cref="GeoHash"/>), so ZADD/ZRANGE and GEO* work on the same keys. This file: declarations,
/// GEOADD, GEODIST, GEOHASH, GEOPOS and the argument helpers; <c>.Search.cs</c>: GEOSEARCH, GEOSEARCHSTORE and the
/// GEORADIUS family (locking, the cell scan, the sort); <c>.Searcher.cs</c>: Redis's georadiusGeneric (arguments,
/// errors, reply or stored result).
/// </summary>
/// <remarks>
/// AOF: GEOADD is logged as the ZADD Redis rewrites it into (the same options, the integer scores); the STORE
/// forms as DEL of the destination and the ZADDs of the result, as the sorted-set STORE commands are.
/// </remarks>
internal static partial class GeoCommands
{
    private const string Group = "geo";

    private static readonly KeySpec[] ReadKey = [KeySpec.Range(1, 0, 1, KeyAccess.Read, "RO", "access")];

    /// <summary>GEORADIUS's source, then the destinations after STORE and STOREDIST (searched from the first option).</summary>
    private static KeySpec[] RadiusKeys(int optionsFrom) =>
    [
        KeySpec.Range(1, 0, 1, KeyAccess.Read, "RO", "access"),
        KeySpec.AfterKeyword("STORE", optionsFrom, 0, KeyAccess.Write, "OW", "update"),
        KeySpec.AfterKeyword("STOREDIST", optionsFrom, 0, KeyAccess.Write, "OW", "update"),
    ];

    public static CommandDefinition[] Definitions { get; } =
    [
        new("geoadd", -5, Write | DenyOom, 1, 1, 1, GeoAdd, Group,
            "Add one or more geospatial items in the geospatial index represented using a sorted set", "3.2.0")
            { KeyAccess = KeyAccess.Write, KeySpecs = [KeySpec.Range(1, 0, 1, KeyAccess.Write, "RW", "update")] },
        new("geodist", -4, ReadOnly, 1, 1, 1, GeoDist, Group, "Returns the distance between two members of a geospatial index", "3.2.0")
            { KeySpecs = ReadKey },
        new("geohash", -2, ReadOnly, 1, 1, 1, GeoHashCommand, Group,
            "Returns members of a geospatial index as standard geohash strings", "3.2.0") { KeySpecs = ReadKey },
        new("geopos", -2, ReadOnly, 1, 1, 1, GeoPos, Group,
            "Returns longitude and latitude of members of a geospatial index", "3.2.0") { KeySpecs = ReadKey },
        new("geosearch", -7, ReadOnly, 1, 1, 1, GeoSearch, Group,
            "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.", "6.2.0")
            { KeySpecs = ReadKey },
        new("geosearchstore", -8, Write | DenyOom, 1, 2, 1, GeoSearchStore, Group,
            "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.", "6.2.0")
            {
                KeyAccess = KeyAccess.Write,
                LaterKeyAccess = KeyAccess.Read,
                KeySpecs = [KeySpec.Range(1, 0, 1, KeyAccess.Write, "OW", "update"), KeySpec.Range(2, 0, 1, KeyAccess.Read, "RO", "access")],
            },
        new("georadius", -6, Write | DenyOom, 1, 1, 1, GeoRadius, Group,
            "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point", "3.2.0")
            { KeyAccess = KeyAccess.Read, KeySpecs = RadiusKeys(6) },
        new("georadiusbymember", -5, Write | DenyOom, 1, 1, 1, GeoRadiusByMember, Group,
            "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member", "3.2.0")
            { KeyAccess = KeyAccess.Read, KeySpecs = RadiusKeys(5) },
        new("georadius_ro", -6, ReadOnly, 1, 1, 1, GeoRadiusReadOnly, Group,
            "A read-only variant for GEORADIUS", "3.2.10") { KeySpecs = ReadKey },
        new("georadiusbymember_ro", -5, ReadOnly, 1, 1, 1, GeoRadiusByMemberReadOnly, Group,
            "A read-only variant for GEORADIUSBYMEMBER", "3.2.10") { KeySpecs = ReadKey },
    ];

    /// <summary>
    /// GEOADD key [NX|XX] [CH] longitude latitude member [...]: Redis checks the options and the count, then every
    /// pair, then runs ZADD with the encoded scores.
    /// </summary>
    public static void GeoAdd(CommandContext context)
    {
        bool nx = false, xx = false, ch = false;
        var first = 2;
        for (; first < context.ArgumentCount; first++)
        {
            if (context.ArgumentIs(first, "NX"u8))
            {
                nx = true;
            }
            else if (context.ArgumentIs(first, "XX"u8))
            {
                xx = true;
            }
            else if (context.ArgumentIs(first, "CH"u8))
            {
                ch = true;
            }
            else
            {
                break;
            }
        }

        if ((context.ArgumentCount - first) % 3 != 0 || (xx && nx))
        {
            context.WriteSyntaxError();
            return;
        }

        if (first == context.ArgumentCount)
        {
            // ZADD with no pairs, which is what Redis runs: its syntax error.
            context.WriteSyntaxError();
            return;
        }

        for (var i = first; i < context.ArgumentCount; i += 3)
        {
            if (!TryParsePositionOrReply(context, i, out _, out _))
            {
                return;
            }
        }

        var operation = new AddPositions(context, first, nx, xx);
        context.Store.Execute(context.Argument(1), DataType.SortedSet, ref operation);
        if (operation.Added + operation.Updated > 0)
        {
            if (operation.Created)
            {
                context.Aof.Created(context.Argument(1));
            }

            GeoAof.Add(context.Aof, context.Request, first);
        }

        context.Output.WriteInteger(ch ? operation.Added + operation.Updated : operation.Added);
    }

    /// <summary>GEODIST key member1 member2 [unit]: the unit checked before the key, null when either member is missing.</summary>
    public static void GeoDist(CommandContext context)
    {
        var toMeters = 1.0;
        if (context.ArgumentCount == 5)
        {
            if (!TryParseUnitOrReply(context, 4, out toMeters))
            {
                return;
            }
        }
        else if (context.ArgumentCount > 5)
        {
            context.WriteSyntaxError();
            return;
        }

        var operation = new Distance(context, toMeters);
        context.Store.Execute(context.Argument(1), DataType.SortedSet, ref operation);
    }

    /// <summary>GEOHASH key [member ...]: the standard 11-character geohash (over latitudes ±90) of each position.</summary>
    public static void GeoHashCommand(CommandContext context)
    {
        var operation = new Hashes(context);
        context.Store.Execute(context.Argument(1), DataType.SortedSet, ref operation);
    }

    /// <summary>GEOPOS key [member ...]: each position as [longitude, latitude], a null array for a missing member.</summary>
    public static void GeoPos(CommandContext context)
    {
        var operation = new Positions(context);
        context.Store.Execute(context.Argument(1), DataType.SortedSet, ref operation);
    }

    /// <summary>extractLongLatOrReply: two floats at <paramref name="index"/>, within the Mercator limits.</summary>
    private static bool TryParsePositionOrReply(CommandContext context, int index, out double longitude, out double latitude)
    {
        latitude = 0;
        if (!SortedSetScore.TryParse(context.Argument(index), out longitude) ||
            !SortedSetScore.TryParse(context.Argument(index + 1), out latitude))
        {
            context.WriteError(ErrorMessages.NotFloat);
            return false;
        }

        if (!GeoHash.IsValid(longitude, latitude))
        {
            context.WriteError(GeoErrors.InvalidPair(longitude, latitude));
            return false;
        }

        return true;
    }

    /// <summary>extractUnitOrReply: the meters in one unit (m, km, ft, mi; any case).</summary>
    private static bool TryParseUnitOrReply(CommandContext context, int index, out double toMeters)
    {
        var unit = context.Argument(index);
        toMeters = IsWord(unit, "m"u8) ? 1
            : IsWord(unit, "km"u8) ? 1000
            : IsWord(unit, "ft"u8) ? 0.3048
            : IsWord(unit, "mi"u8) ? 1609.34
            : -1;
        if (toMeters < 0)
        {
            context.WriteError(GeoErrors.UnsupportedUnit);
            return false;
        }

        return true;
    }

    private static bool IsWord(ReadOnlySpan<byte> argument, ReadOnlySpan<byte> word) => System.Text.Ascii.EqualsIgnoreCase(argument, word);

    /// <summary>addReplyDoubleDistance: <c>%.4f</c> as a bulk string.</summary>
    internal static void WriteDistance(IBufferWriter<byte> output, double distance)
    {
        Span<byte> text = stackalloc byte[GeoFormat.MaxLength];
        if (GeoFormat.TryFixed(distance, 4, text, out var length))
        {
            output.WriteBulkString(text[..length]);
        }
        else
        {
            output.WriteBulkString(GeoFormat.Fixed(distance, 4));
        }
    }

    /// <summary>A position as addReplyHumanLongDouble pair: [longitude, latitude], bulk strings in RESP2, doubles in RESP3.</summary>
    internal static void WritePosition(IBufferWriter<byte> output, double longitude, double latitude, bool resp3)
    {
        Span<byte> text = stackalloc byte[GeoFormat.MaxLength];
        output.WriteArrayHeader(2);
        output.WriteDouble(text[..GeoFormat.Human(longitude, text)], resp3);
        output.WriteDouble(text[..GeoFormat.Human(latitude, text)], resp3);
    }

    /// <summary>Redis's zaddGenericCommand over GEOADD's triplets: NX/XX honoured, an unchanged score not counted.</summary>
    private struct AddPositions(CommandContext context, int first, bool nx, bool xx) : IObjectOperation
    {
        public bool Created;
        public long Added;
        public long Updated;

        public StoreObject? CreateIfMissing()
        {
            if (xx)
            {
                return null;
            }

            Created = true;
            return new SortedSetObject();
        }

        public void Apply(StoreObject? value)
        {
            if (value is not SortedSetObject set)
            {
                return;
            }

            var settings = context.Store.Encodings;
            for (var i = first; i < context.ArgumentCount; i += 3)
            {
                double score = ScoreAt(context, i);
                var member = context.Argument(i + 2);
                if (set.TryGetScore(member, out var current))
                {
                    if (!nx && score != current)
                    {
                        set.Set(member, score, settings);
                        Updated++;
                    }
                }
                else if (!xx)
                {
                    set.Set(member, score, settings);
                    Added++;
                }
            }
        }
    }

    /// <summary>The score GEOADD stores for the pair at <paramref name="index"/> (already validated).</summary>
    internal static ulong ScoreAt(CommandContext context, int index)
    {
        _ = SortedSetScore.TryParse(context.Argument(index), out var longitude);
        _ = SortedSetScore.TryParse(context.Argument(index + 1), out var latitude);
        return GeoHash.Score(longitude, latitude);
    }

    private readonly struct Distance(CommandContext context, double toMeters) : IObjectOperation
    {
        public StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            var output = context.Output;
            if (value is not SortedSetObject set)
            {
                context.Client.KeyspaceMisses++;
                output.WriteNull(context.Resp3);
                return;
            }

            context.Client.KeyspaceHits++;
            if (!set.TryGetScore(context.Argument(2), out var score1) || !set.TryGetScore(context.Argument(3), out var score2))
            {
                output.WriteNull(context.Resp3);
                return;
            }

            var (longitude1, latitude1) = GeoHash.DecodeScore(score1);
            var (longitude2, latitude2) = GeoHash.DecodeScore(score2);
            WriteDistance(output, GeoDistance.Between(longitude1, latitude1, longitude2, latitude2) / toMeters);
        }
    }

    private readonly struct Hashes(CommandContext context) : IObjectOperation
    {
        private static ReadOnlySpan<byte> Alphabet => "0123456789bcdefghjkmnpqrstuvwxyz"u8;

        public StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            var output = context.Output;
            var set = value as SortedSetObject;
            CountLookup(context, set);
            output.WriteArrayHeader(context.ArgumentCount - 2);
            Span<byte> text = stackalloc byte[11];
            for (var i = 2; i < context.ArgumentCount; i++)
            {
                if (set is null || !set.TryGetScore(context.Argument(i), out var score))
                {
                    output.WriteNull(context.Resp3);
                    continue;
                }

                var (longitude, latitude) = GeoHash.DecodeScore(score);
                GeoHash.TryEncode(longitude, latitude, GeoHash.MaxStep, -90, 90, out var hash);
                for (var j = 0; j < 11; j++)
                {
                    // 52 bits make ten characters; Redis pads the eleventh with the first letter.
                    var index = j == 10 ? 0 : (int)((hash.Bits >> (52 - ((j + 1) * 5))) & 0x1f);
                    text[j] = Alphabet[index];
                }

                output.WriteBulkString(text);
            }
        }
    }

    private readonly struct Positions(CommandContext context) : IObjectOperation
    {
        public StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            var output = context.Output;
            var set = value as SortedSetObject;
            CountLookup(context, set);
            output.WriteArrayHeader(context.ArgumentCount - 2);
            for (var i = 2; i < context.ArgumentCount; i++)
            {
                if (set is null || !set.TryGetScore(context.Argument(i), out var score))
                {
                    output.WriteNullArray(context.Resp3);
                    continue;
                }

                var (longitude, latitude) = GeoHash.DecodeScore(score);
                WritePosition(output, longitude, latitude, context.Resp3);
            }
        }
    }

    private static void CountLookup(CommandContext context, SortedSetObject? set)
    {
        if (set is null)
        {
            context.Client.KeyspaceMisses++;
        }
        else
        {
            context.Client.KeyspaceHits++;
        }
    }
}
