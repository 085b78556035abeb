using System.Runtime.InteropServices;
using System.Text;
using PepperCache.Core.Geo;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Persistence;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// GEOSEARCH, GEOSEARCHSTORE, GEORADIUS, GEORADIUSBYMEMBER and their _RO forms: Redis's georadiusGeneric, one parser
// for all six. The source is looked up (and type-checked) first, then the arguments are read in order, a FROMMEMBER
// member decoded where it appears, so errors come in Redis's order. The search scans the score ranges of up to nine
// geohash cells (GeoSearchArea), keeps what lies in the shape and sorts by distance when asked (or when COUNT is
// given without ANY), stably, as glibc's merge-sort qsort does.
internal static partial class GeoCommands
{
    public static void GeoSearch(CommandContext context) => Search(context, 1, SearchFlags.Search);

    public static void GeoSearchStore(CommandContext context) => Search(context, 2, SearchFlags.Search | SearchFlags.SearchStore);

    public static void GeoRadius(CommandContext context) => Search(context, 1, SearchFlags.Coordinates);

    public static void GeoRadiusByMember(CommandContext context) => Search(context, 1, SearchFlags.Member);

    public static void GeoRadiusReadOnly(CommandContext context) => Search(context, 1, SearchFlags.Coordinates | SearchFlags.NoStore);

    public static void GeoRadiusByMemberReadOnly(CommandContext context) => Search(context, 1, SearchFlags.Member | SearchFlags.NoStore);

    [Flags]
    private enum SearchFlags
    {
        None = 0,
        Coordinates = 1,
        Member = 2,
        NoStore = 4,
        Search = 8,
        SearchStore = 16,
    }

    private enum SortOrder
    {
        None,
        Ascending,
        Descending,
    }

    /// <summary>One member found in the shape.</summary>
    private readonly record struct GeoPoint(byte[] Member, double Distance, double Score, double Longitude, double Latitude);

    private static void Search(CommandContext context, int sourceIndex, SearchFlags flags)
    {
        var storeIndex = (flags & SearchFlags.SearchStore) != 0 ? 1 : FindStoreKey(context, flags);
        if (storeIndex < 0)
        {
            var read = new SearchRead(context, flags);
            context.Store.Execute(context.Argument(sourceIndex), DataType.SortedSet, ref read);
            return;
        }

        var operation = new SearchStoreOperation(context, sourceIndex, storeIndex, flags);
        context.Store.ExecuteOnKeys(context.Request, sourceIndex, sourceIndex + 1, storeIndex, ref operation);
        if (operation.Stored)
        {
            SortedSetAof.Replace(context.Aof, context.Argument(operation.StoreIndex), operation.Result);
        }
    }

    /// <summary>
    /// Where GEORADIUS's options put a STORE or STOREDIST key (the last one, as Redis's parser keeps it): the options'
    /// shape alone, their values are checked later; -1 when there is none or the options stop being valid first.
    /// </summary>
    private static int FindStoreKey(CommandContext context, SearchFlags flags)
    {
        if ((flags & (SearchFlags.NoStore | SearchFlags.Search)) != 0)
        {
            return -1;
        }

        var baseArgs = (flags & SearchFlags.Coordinates) != 0 ? 6 : 5;
        var remaining = context.ArgumentCount - baseArgs;
        var store = -1;
        for (var i = 0; i < remaining; i++)
        {
            var at = baseArgs + i;
            if (context.ArgumentIs(at, "WITHDIST"u8) || context.ArgumentIs(at, "WITHHASH"u8) || context.ArgumentIs(at, "WITHCOORD"u8) ||
                context.ArgumentIs(at, "ANY"u8) || context.ArgumentIs(at, "ASC"u8) || context.ArgumentIs(at, "DESC"u8))
            {
                continue;
            }

            if (i + 1 < remaining && context.ArgumentIs(at, "COUNT"u8))
            {
                i++;
            }
            else if (i + 1 < remaining && (context.ArgumentIs(at, "STORE"u8) || context.ArgumentIs(at, "STOREDIST"u8)))
            {
                store = at + 1;
                i++;
            }
            else
            {
                break;
            }
        }

        return store;
    }

    /// <summary>A search that answers its results (no destination).</summary>
    private readonly struct SearchRead(CommandContext context, SearchFlags flags) : IObjectOperation
    {
        public StoreObject? CreateIfMissing() => null;

        public void Apply(StoreObject? value)
        {
            var set = value as SortedSetObject;
            CountLookup(context, set);
            var search = new Searcher(context, flags);
            search.Run(set);
        }
    }

    /// <summary>A search with a destination: the source and the destination locked together.</summary>
    private struct SearchStoreOperation(CommandContext context, int sourceIndex, int storeIndex, SearchFlags flags) : IKeysOperation
    {
        public bool Stored;
        public int StoreIndex = storeIndex;
        public SortedSetObject? Result;

        public void Apply(KeyValueStore.LockedKeys keys)
        {
            SortedSetObject? set = null;
            if (keys.TryRead(context.Argument(sourceIndex), out var type, out var value))
            {
                if (type != DataType.SortedSet)
                {
                    WrongTypeException.Throw();
                }

                set = (SortedSetObject)value!;
            }

            CountLookup(context, set);
            var search = new Searcher(context, flags);
            search.Run(set);
            if (search.StoreIndex < 0)
            {
                return;
            }

            // Parsed as the pre-scan found it; the parser's word is final.
            StoreIndex = search.StoreIndex;
            keys.Store(context.Argument(StoreIndex), search.Result);
            Result = search.Result is { Count: > 0 } ? search.Result : null;
            Stored = true;
        }
    }

    /// <summary>georadiusGeneric: parses, searches and replies; a store search leaves its result for the caller to store.</summary>
    private sealed class Searcher(CommandContext context, SearchFlags flags)
    {
        private GeoShape _shape;
        private bool _withDist;
        private bool _withHash;
        private bool _withCoordinates;
        private bool _any;
        private bool _storeDistance;
        private long _count;
        private SortOrder _sort;

        /// <summary>The destination's argument index once the search got as far as storing; -1 otherwise.</summary>
        public int StoreIndex { get; private set; } = -1;

        public SortedSetObject? Result { get; private set; }

        public void Run(SortedSetObject? set)
        {
            if (!TryParse(set, out var storeIndex))
            {
                return;
            }

            var output = context.Output;
            if (set is null)
            {
                if (storeIndex >= 0)
                {
                    StoreIndex = storeIndex;
                    output.WriteInteger(0);
                }
                else
                {
                    output.WriteRaw(RespConstants.EmptyArray);
                }

                return;
            }

            if (_count != 0 && _sort == SortOrder.None && !_any)
            {
                _sort = SortOrder.Ascending;
            }

            var points = Collect(set, _shape, _any ? _count : 0);
            if (points.Count == 0 && storeIndex < 0)
            {
                output.WriteRaw(RespConstants.EmptyArray);
                return;
            }

            var returned = _count == 0 || points.Count < _count ? points.Count : (int)_count;
            if (_sort != SortOrder.None)
            {
                Sort(points, _sort == SortOrder.Descending, returned);
            }

            if (storeIndex >= 0)
            {
                var result = new SortedSetObject();
                var settings = context.Store.Encodings;
                for (var i = 0; i < returned; i++)
                {
                    var point = points[i];
                    result.Set(point.Member, _storeDistance ? point.Distance / _shape.Conversion : point.Score, settings);
                }

                Result = result;
                StoreIndex = storeIndex;
                output.WriteInteger(returned);
                return;
            }

            WriteResults(points, returned);
        }

        private void WriteResults(List<GeoPoint> points, int returned)
        {
            var output = context.Output;
            var options = (_withDist ? 1 : 0) + (_withHash ? 1 : 0) + (_withCoordinates ? 1 : 0);
            output.WriteArrayHeader(returned);
            for (var i = 0; i < returned; i++)
            {
                var point = points[i];
                if (options > 0)
                {
                    output.WriteArrayHeader(options + 1);
                }

                output.WriteBulkString(point.Member);
                if (_withDist)
                {
                    WriteDistance(output, point.Distance / _shape.Conversion);
                }

                if (_withHash)
                {
                    // addReplyLongLong of the double score: C's conversion.
                    output.WriteInteger(GeoHash.Truncate(point.Score));
                }

                if (_withCoordinates)
                {
                    WritePosition(output, point.Longitude, point.Latitude);
                }
            }
        }

        /// <summary>The options, in Redis's order and with its errors; false when an error was written.</summary>
        private bool TryParse(SortedSetObject? set, out int storeIndex)
        {
            storeIndex = (flags & SearchFlags.SearchStore) != 0 ? 1 : -1;
            int baseArgs;
            if ((flags & SearchFlags.Coordinates) != 0)
            {
                baseArgs = 6;
                if (!TryParsePositionOrReply(context, 2, out var longitude, out var latitude) ||
                    !TryParseRadiusOrReply(4, out var radius, out var conversion))
                {
                    return false;
                }

                _shape = new GeoShape(longitude, latitude, false, radius, 0, 0, conversion);
            }
            else if ((flags & SearchFlags.Member) != 0)
            {
                baseArgs = 5;
                // Without a source there is no member to decode, and Redis does not read the radius either.
                if (set is not null)
                {
                    if (!set.TryGetScore(context.Argument(2), out var score))
                    {
                        context.WriteError(GeoErrors.UndecodableMember);
                        return false;
                    }

                    var (longitude, latitude) = GeoHash.DecodeScore(score);
                    if (!TryParseRadiusOrReply(3, out var radius, out var conversion))
                    {
                        return false;
                    }

                    _shape = new GeoShape(longitude, latitude, false, radius, 0, 0, conversion);
                }
            }
            else
            {
                baseArgs = (flags & SearchFlags.SearchStore) != 0 ? 3 : 2;
            }

            bool fromMember = false, fromLocation = false, byRadius = false, byBox = false;
            var isSearch = (flags & SearchFlags.Search) != 0;
            var canStore = (flags & (SearchFlags.NoStore | SearchFlags.Search)) == 0;
            var remaining = context.ArgumentCount - baseArgs;
            for (var i = 0; i < remaining; i++)
            {
                var at = baseArgs + i;
                if (context.ArgumentIs(at, "WITHDIST"u8))
                {
                    _withDist = true;
                }
                else if (context.ArgumentIs(at, "WITHHASH"u8))
                {
                    _withHash = true;
                }
                else if (context.ArgumentIs(at, "WITHCOORD"u8))
                {
                    _withCoordinates = true;
                }
                else if (context.ArgumentIs(at, "ANY"u8))
                {
                    _any = true;
                }
                else if (context.ArgumentIs(at, "ASC"u8))
                {
                    _sort = SortOrder.Ascending;
                }
                else if (context.ArgumentIs(at, "DESC"u8))
                {
                    _sort = SortOrder.Descending;
                }
                else if (context.ArgumentIs(at, "COUNT"u8) && i + 1 < remaining)
                {
                    if (!context.TryGetInt64OrReply(at + 1, out _count))
                    {
                        return false;
                    }

                    if (_count <= 0)
                    {
                        context.WriteError(GeoErrors.CountNotPositive);
                        return false;
                    }

                    i++;
                }
                else if (context.ArgumentIs(at, "STORE"u8) && i + 1 < remaining && canStore)
                {
                    storeIndex = at + 1;
                    _storeDistance = false;
                    i++;
                }
                else if (context.ArgumentIs(at, "STOREDIST"u8) && i + 1 < remaining && canStore)
                {
                    storeIndex = at + 1;
                    _storeDistance = true;
                    i++;
                }
                else if (context.ArgumentIs(at, "STOREDIST"u8) && (flags & SearchFlags.SearchStore) != 0)
                {
                    _storeDistance = true;
                }
                else if (context.ArgumentIs(at, "FROMMEMBER"u8) && i + 1 < remaining && isSearch && !fromLocation)
                {
                    if (set is not null)
                    {
                        if (!set.TryGetScore(context.Argument(at + 1), out var score))
                        {
                            context.WriteError(GeoErrors.UndecodableMember);
                            return false;
                        }

                        var (longitude, latitude) = GeoHash.DecodeScore(score);
                        _shape = _shape with { Longitude = longitude, Latitude = latitude };
                    }

                    fromMember = true;
                    i++;
                }
                else if (context.ArgumentIs(at, "FROMLONLAT"u8) && i + 2 < remaining && isSearch && !fromMember)
                {
                    if (!TryParsePositionOrReply(context, at + 1, out var longitude, out var latitude))
                    {
                        return false;
                    }

                    _shape = _shape with { Longitude = longitude, Latitude = latitude };
                    fromLocation = true;
                    i += 2;
                }
                else if (context.ArgumentIs(at, "BYRADIUS"u8) && i + 2 < remaining && isSearch && !byBox)
                {
                    if (!TryParseRadiusOrReply(at + 1, out var radius, out var conversion))
                    {
                        return false;
                    }

                    _shape = _shape with { IsBox = false, Radius = radius, Conversion = conversion };
                    byRadius = true;
                    i += 2;
                }
                else if (context.ArgumentIs(at, "BYBOX"u8) && i + 3 < remaining && isSearch && !byRadius)
                {
                    if (!TryParseBoxOrReply(at + 1, out var width, out var height, out var conversion))
                    {
                        return false;
                    }

                    _shape = _shape with { IsBox = true, Width = width, Height = height, Conversion = conversion };
                    byBox = true;
                    i += 3;
                }
                else
                {
                    context.WriteSyntaxError();
                    return false;
                }
            }

            if (storeIndex >= 0 && (_withDist || _withHash || _withCoordinates))
            {
                context.WriteError(GeoErrors.StoreWithOptions((flags & SearchFlags.SearchStore) != 0));
                return false;
            }

            if (isSearch && !(fromMember || fromLocation))
            {
                context.WriteError(GeoErrors.NeedsFrom(Encoding.ASCII.GetString(context.Argument(0))));
                return false;
            }

            if (isSearch && !(byRadius || byBox))
            {
                context.WriteError(GeoErrors.NeedsBy(Encoding.ASCII.GetString(context.Argument(0))));
                return false;
            }

            if (_any && _count == 0)
            {
                context.WriteError(GeoErrors.AnyNeedsCount);
                return false;
            }

            return true;
        }

        /// <summary>extractDistanceOrReply: a non-negative radius and its unit.</summary>
        private bool TryParseRadiusOrReply(int index, out double radius, out double conversion)
        {
            conversion = 0;
            if (!SortedSetScore.TryParse(context.Argument(index), out radius))
            {
                context.WriteError(GeoErrors.NeedNumericRadius);
                return false;
            }

            if (radius < 0)
            {
                context.WriteError(GeoErrors.NegativeRadius);
                return false;
            }

            return TryParseUnitOrReply(context, index + 1, out conversion);
        }

        /// <summary>extractBoxOrReply: width and height (both parsed before either is checked for sign) and their unit.</summary>
        private bool TryParseBoxOrReply(int index, out double width, out double height, out double conversion)
        {
            height = 0;
            conversion = 0;
            if (!SortedSetScore.TryParse(context.Argument(index), out width))
            {
                context.WriteError(GeoErrors.NeedNumericWidth);
                return false;
            }

            if (!SortedSetScore.TryParse(context.Argument(index + 1), out height))
            {
                context.WriteError(GeoErrors.NeedNumericHeight);
                return false;
            }

            if (height < 0 || width < 0)
            {
                context.WriteError(GeoErrors.NegativeBox);
                return false;
            }

            return TryParseUnitOrReply(context, index + 2, out conversion);
        }
    }

    /// <summary>
    /// membersOfAllNeighbors: each cell's score range in order, a cell skipped when it repeats the last one scanned
    /// (Redis compares with the last scanned only after the first neighbour, so the centre may repeat), stopping
    /// once <paramref name="limit"/> points are found (ANY; 0 for no limit).
    /// </summary>
    private static List<GeoPoint> Collect(SortedSetObject set, in GeoShape shape, long limit)
    {
        Span<GeoHashBits> cells = stackalloc GeoHashBits[9];
        GeoSearchArea.Cells(shape, cells);
        var points = new List<GeoPoint>();
        var lastProcessed = 0;
        for (var i = 0; i < cells.Length; i++)
        {
            if (cells[i].IsZero)
            {
                continue;
            }

            if (lastProcessed != 0 && cells[i] == cells[lastProcessed])
            {
                continue;
            }

            if (points.Count > 0 && limit != 0 && points.Count >= limit)
            {
                break;
            }

            var (min, max) = GeoSearchArea.Scores(cells[i]);
            var walker = set.WalkFrom(set.CountBelow(min, orEqual: false), reverse: false);
            while (walker.MoveNext() && walker.Score < max)
            {
                var (longitude, latitude) = GeoHash.DecodeScore(walker.Score);
                if (GeoDistance.IsWithin(shape, longitude, latitude, out var distance))
                {
                    points.Add(new GeoPoint(walker.Member, distance, walker.Score, longitude, latitude));
                }

                if (points.Count > 0 && limit != 0 && points.Count >= limit)
                {
                    break;
                }
            }

            lastProcessed = i;
        }

        return points;
    }

    /// <summary>
    /// By distance, as Redis sorts: glibc's qsort (a stable merge sort) when every result is returned, Redis's
    /// partial quicksort of the first <paramref name="returned"/> when COUNT cuts the list, each with its own order
    /// of equal distances.
    /// </summary>
    private static void Sort(List<GeoPoint> points, bool descending, int returned)
    {
        Comparison<GeoPoint> byDistance = descending
            ? static (a, b) => -Compare(a.Distance, b.Distance)
            : static (a, b) => Compare(a.Distance, b.Distance);
        if (returned < points.Count)
        {
            PartialQuickSort.Sort(CollectionsMarshal.AsSpan(points), byDistance, 0, returned - 1);
            return;
        }

        var keyed = new (GeoPoint Point, int Order)[points.Count];
        for (var i = 0; i < keyed.Length; i++)
        {
            keyed[i] = (points[i], i);
        }

        Array.Sort(keyed, (a, b) => byDistance(a.Point, b.Point) is var order and not 0 ? order : a.Order.CompareTo(b.Order));
        for (var i = 0; i < keyed.Length; i++)
        {
            points[i] = keyed[i].Point;
        }
    }

    /// <summary>sort_gp_asc: 1, 0 or -1.</summary>
    private static int Compare(double a, double b) => a > b ? 1 : a == b ? 0 : -1;
}
