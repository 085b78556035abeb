using System.Buffers;
using System.Buffers.Binary;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;

namespace PepperCache.Core.Rdb;

/// <summary>What RESTORE made of a serialized value.</summary>
public enum RestoreReadStatus
{
    /// <summary>A string or a collection.</summary>
    Read,
    /// <summary>Shorter than its footer, a version above 10, or a CRC that does not match ("DUMP payload version or checksum are wrong").</summary>
    VersionOrChecksum,
    /// <summary>Not a value this node can hold: corrupt, empty, a stream or module type ("Bad data format").</summary>
    BadFormat,
}

/// <summary>
/// Reads a DUMP payload of Redis 7.0 or earlier (RDB version up to 10): strings, and every encoding of lists, sets,
/// sorted sets and hashes that 7.0 loads (plain, zipmap, ziplist, intset, quicklist of ziplists or listpacks,
/// listpack). The collection is rebuilt with this node's encoding settings, as Redis's RESTORE converts by its own.
/// </summary>
/// <remarks>
/// Plain sets, hashes and sorted sets past a listpack's count (how 7.0 dumps big ones) and quicklists go straight into
/// the collection; the other encodings are read into this node's own collection payload (<see cref="StoreObjectFormat"/>,
/// format 1) and loaded from it. Either way the checks slot migration makes (a member twice, a NaN score) apply. Like
/// Redis's load, an empty collection is refused. Bytes after the object are ignored, and an object may run on into the
/// version and CRC bytes: Redis reads the object from the whole payload, footer included.
/// </remarks>
public static class RestorePayload
{
    private const int FooterSize = 10;

    public static RestoreReadStatus TryRead(
        ReadOnlySpan<byte> payload, EncodingSettings settings, out byte[]? stringValue, out StoreObject? collection)
    {
        ArgumentNullException.ThrowIfNull(settings);
        stringValue = null;
        collection = null;
        if (payload.Length < FooterSize)
        {
            return RestoreReadStatus.VersionOrChecksum;
        }

        var footer = payload[^FooterSize..];
        var version = BinaryPrimitives.ReadUInt16LittleEndian(footer);
        if (version > RdbFormat.Version
            || Crc64Jones.Compute(payload[..^8]) != BinaryPrimitives.ReadUInt64LittleEndian(footer[2..]))
        {
            return RestoreReadStatus.VersionOrChecksum;
        }

        // As Redis's rio over the whole argument: an object that runs into the footer reads the footer's bytes.
        var input = new RdbInput(payload);
        if (!input.TryReadByte(out var type))
        {
            return RestoreReadStatus.BadFormat;
        }

        if (type == RdbFormat.TypeString)
        {
            if (!input.TryReadString(out var value))
            {
                return RestoreReadStatus.BadFormat;
            }

            stringValue = value;
            return RestoreReadStatus.Read;
        }

        if (type is RdbFormat.TypeListQuicklist or RdbFormat.TypeListQuicklist2)
        {
            // A list's elements are pushed as they are read, none an array of its own (a quicklist is how Redis 7.0
            // dumps every list). Format 1 would check nothing more for a list: its elements may repeat.
            var list = new ListSink();
            if (!TryReadQuicklist(ref input, type == RdbFormat.TypeListQuicklist2, list) || list.List.Count == 0)
            {
                return RestoreReadStatus.BadFormat;
            }

            collection = list.List;
            return RestoreReadStatus.Read;
        }

        if (type is RdbFormat.TypeSet or RdbFormat.TypeHash)
        {
            // How Redis 7.0 dumps a set or hash past its compact limits: each element goes straight into the collection,
            // which copies it once (the format-1 round trip below copied each twice more: 3.2x Redis's time for a 1M set).
            collection = type == RdbFormat.TypeSet ? TryReadSet(ref input, settings) : TryReadHash(ref input, settings);
            return collection is null ? RestoreReadStatus.BadFormat : RestoreReadStatus.Read;
        }

        if (type is RdbFormat.TypeZset or RdbFormat.TypeZset2 && TryReadBigSortedSet(input, type == RdbFormat.TypeZset2, settings) is (var big, var ok))
        {
            collection = big;
            return ok ? RestoreReadStatus.Read : RestoreReadStatus.BadFormat;
        }

        var elements = new List<byte[]>();
        var scores = new List<double>();
        if (!TryReadElements(ref input, type, elements, scores, out var dataType) || elements.Count == 0)
        {
            return RestoreReadStatus.BadFormat;
        }

        var buffer = new ArrayBufferWriter<byte>();
        if (!TryWriteFormat1(dataType, elements, scores, buffer)
            || !StoreObjectFormat.TryDeserialize(dataType, buffer.WrittenSpan, settings, out collection))
        {
            return RestoreReadStatus.BadFormat;
        }

        return RestoreReadStatus.Read;
    }

    private static bool TryReadElements(ref RdbInput input, byte type, List<byte[]> elements, List<double> scores, out DataType dataType)
    {
        dataType = type switch
        {
            RdbFormat.TypeList or RdbFormat.TypeListZiplist or RdbFormat.TypeListQuicklist or RdbFormat.TypeListQuicklist2 => DataType.List,
            RdbFormat.TypeSet or RdbFormat.TypeSetIntset => DataType.Set,
            RdbFormat.TypeZset or RdbFormat.TypeZset2 or RdbFormat.TypeZsetZiplist or RdbFormat.TypeZsetListpack => DataType.SortedSet,
            RdbFormat.TypeHash or RdbFormat.TypeHashZipmap or RdbFormat.TypeHashZiplist or RdbFormat.TypeHashListpack => DataType.Hash,
            _ => DataType.Stream,
        };
        switch (type)
        {
            case RdbFormat.TypeList:
                return TryReadStrings(ref input, elements);
            case RdbFormat.TypeZset or RdbFormat.TypeZset2:
                return TryReadScoredMembers(ref input, type == RdbFormat.TypeZset2, elements, scores);
            case RdbFormat.TypeListQuicklist or RdbFormat.TypeListQuicklist2:
                return TryReadQuicklist(ref input, type == RdbFormat.TypeListQuicklist2, new CompactReaders.ArraySink(elements));
        }

        if (!input.TryReadString(out var blob))
        {
            return false;
        }

        var read = type switch
        {
            RdbFormat.TypeHashZipmap => CompactReaders.TryReadZipmap(blob, elements),
            RdbFormat.TypeListZiplist or RdbFormat.TypeZsetZiplist or RdbFormat.TypeHashZiplist => CompactReaders.TryReadZiplist(blob, elements),
            RdbFormat.TypeSetIntset => CompactReaders.TryReadIntset(blob, elements),
            RdbFormat.TypeHashListpack or RdbFormat.TypeZsetListpack => CompactReaders.TryReadListpack(blob, elements),
            _ => false,
        };
        if (!read)
        {
            return false;
        }

        if (dataType == DataType.Hash)
        {
            return elements.Count % 2 == 0;
        }

        return dataType != DataType.SortedSet || TrySplitScores(elements, scores);
    }

    // As format 1's load: a member twice is a corrupt payload, and so is an empty set.
    private static SetObject? TryReadSet(ref RdbInput input, EncodingSettings settings)
    {
        if (!input.TryReadLength(out var count) || count == 0 || count > (ulong)input.Remaining)
        {
            return null;
        }

        // Arrays, not stackalloc: the compiler cannot tell that the input keeps no reference to them.
        var scratch = new byte[RdbInput.IntegerTextBytes];
        var set = new SetObject();
        for (var i = 0UL; i < count; i++)
        {
            if (!input.TryReadString(scratch, out var member) || !set.Add(member, settings))
            {
                return null;
            }
        }

        return set;
    }

    // As format 1's load: a field twice is a corrupt payload (Redis: "Duplicate hash fields detected"), and so is an empty hash.
    private static HashObject? TryReadHash(ref RdbInput input, EncodingSettings settings)
    {
        if (!input.TryReadLength(out var count) || count == 0 || count > (ulong)input.Remaining / 2)
        {
            return null;
        }

        var fieldScratch = new byte[RdbInput.IntegerTextBytes];
        var valueScratch = new byte[RdbInput.IntegerTextBytes];
        var hash = new HashObject();
        for (var i = 0UL; i < count; i++)
        {
            if (!input.TryReadString(fieldScratch, out var field) || !input.TryReadString(valueScratch, out var value)
                || !hash.Set(field, value, settings))
            {
                return null;
            }
        }

        return hash;
    }

    /// <summary>
    /// A plain sorted set too big for a listpack by its count alone, as Redis dumps a skip list: each member goes straight
    /// into a skip list. Null when the count leaves the encoding to the members' lengths (the format-1 path decides
    /// then); otherwise the set, or (null, false) for a corrupt payload (a NaN score, a member twice).
    /// </summary>
    private static (SortedSetObject? Set, bool Ok)? TryReadBigSortedSet(RdbInput input, bool binaryScores, EncodingSettings settings)
    {
        if (!input.TryReadLength(out var count) || count <= (ulong)Math.Max(0, settings.ZsetMaxListpackEntries))
        {
            return null;
        }

        if (count > (ulong)input.Remaining / 2)
        {
            return (null, false);
        }

        var scratch = new byte[RdbInput.IntegerTextBytes];
        var set = SortedSetObject.CreateForLoad((long)count, settings);
        for (var i = 0UL; i < count; i++)
        {
            if (!TryReadScoredMember(ref input, binaryScores, scratch, out var member, out var score)
                || !set.Set(member, score, settings))
            {
                return (null, false);
            }
        }

        return (set, true);
    }

    // Each element takes at least one byte, so a count above the bytes left is refused before anything is allocated.
    private static bool TryReadStrings(ref RdbInput input, List<byte[]> elements)
    {
        if (!input.TryReadLength(out var count) || count > (ulong)input.Remaining)
        {
            return false;
        }

        for (var i = 0UL; i < count; i++)
        {
            if (!input.TryReadString(out var element))
            {
                return false;
            }

            elements.Add(element);
        }

        return true;
    }

    private static bool TryReadScoredMembers(ref RdbInput input, bool binaryScores, List<byte[]> elements, List<double> scores)
    {
        if (!input.TryReadLength(out var count) || count > (ulong)input.Remaining / 2)
        {
            return false;
        }

        var scratch = new byte[RdbInput.IntegerTextBytes];
        for (var i = 0UL; i < count; i++)
        {
            if (!TryReadScoredMember(ref input, binaryScores, scratch, out var member, out var score))
            {
                return false;
            }

            elements.Add(member.ToArray());
            scores.Add(score);
        }

        return true;
    }

    // A plain sorted set's entry: the member, then its score (binary, or RDB_TYPE_ZSET's text); a NaN is refused.
    private static bool TryReadScoredMember(ref RdbInput input, bool binaryScores, byte[] scratch, out ReadOnlySpan<byte> member, out double score)
    {
        score = 0;
        return input.TryReadString(scratch, out member)
            && (binaryScores ? input.TryReadBinaryDouble(out score) : input.TryReadTextDouble(out score))
            && !double.IsNaN(score);
    }

    // Quicklist (14): ziplist nodes. Quicklist 2 (18): each node a container number, then a listpack (packed) or
    // one element (plain). Redis skips an empty node, so this does too.
    private static bool TryReadQuicklist<TSink>(ref RdbInput input, bool version2, TSink elements)
        where TSink : CompactReaders.IElementSink
    {
        if (!input.TryReadLength(out var nodes) || nodes > (ulong)input.Remaining)
        {
            return false;
        }

        for (var i = 0UL; i < nodes; i++)
        {
            var container = (ulong)RdbFormat.ContainerPacked;
            if (version2 && (!input.TryReadLength(out container) || container is not (RdbFormat.ContainerPacked or RdbFormat.ContainerPlain)))
            {
                return false;
            }

            if (!input.TryReadString(out var blob))
            {
                return false;
            }

            if (container == RdbFormat.ContainerPlain)
            {
                elements.Add(blob);
                continue;
            }

            var read = version2 ? CompactReaders.TryReadListpack(blob, elements) : CompactReaders.TryReadZiplist(blob, elements);
            if (!read)
            {
                return false;
            }
        }

        return true;
    }

    // A ziplist or listpack sorted set: member, score, member, score...; the score's text read as ZADD reads it.
    private static bool TrySplitScores(List<byte[]> elements, List<double> scores)
    {
        if (elements.Count % 2 != 0)
        {
            return false;
        }

        var members = new List<byte[]>(elements.Count / 2);
        for (var i = 0; i < elements.Count; i += 2)
        {
            if (!SortedSetScore.TryParse(elements[i + 1], out var score) || double.IsNaN(score))
            {
                return false;
            }

            members.Add(elements[i]);
            scores.Add(score);
        }

        elements.Clear();
        elements.AddRange(members);
        return true;
    }

    private static bool TryWriteFormat1(DataType type, List<byte[]> elements, List<double> scores, ArrayBufferWriter<byte> output)
    {
        switch (type)
        {
            case DataType.List or DataType.Set:
                StoreObjectFormat.WriteHeader(output, elements.Count);
                foreach (var element in elements)
                {
                    StoreObjectFormat.WriteBytes(output, element);
                }

                return true;
            case DataType.Hash:
                StoreObjectFormat.WriteHeader(output, elements.Count / 2);
                foreach (var element in elements)
                {
                    StoreObjectFormat.WriteBytes(output, element);
                }

                return true;
            case DataType.SortedSet:
                StoreObjectFormat.WriteHeader(output, elements.Count);
                for (var i = 0; i < elements.Count; i++)
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(output.GetSpan(8), scores[i]);
                    output.Advance(8);
                    StoreObjectFormat.WriteBytes(output, elements[i]);
                }

                return true;
            default:
                return false;
        }
    }

    /// <summary>Pushes each element at the list's tail.</summary>
    private sealed class ListSink : CompactReaders.IElementSink
    {
        public ListObject List { get; } = new();

        public void Add(ReadOnlySpan<byte> element) => List.Push(element, head: false);
    }
}
