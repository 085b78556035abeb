using System.Text;
using PepperCache.Core.Geo;
using PepperCache.Core.Types;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

// The search itself, one per command: georadiusGeneric's argument parsing (in Redis's order, with its errors), the
// search over the cells, the sort and the reply, or the result a STORE form stores.
internal static partial class GeoCommands
{
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
                    WritePosition(output, point.Longitude, point.Latitude, context.Resp3);
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
}
