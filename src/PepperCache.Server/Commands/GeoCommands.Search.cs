using System.Runtime.InteropServices;
using PepperCache.Core.Geo;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;
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

        public void Apply(LockedKeys keys)
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
                    points.Add(new GeoPoint(walker.MemberArray(), distance, walker.Score, longitude, latitude));
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
