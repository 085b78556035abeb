using System.Buffers.Binary;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;

namespace PepperCache.Core.Rdb;

/// <summary>
/// DUMP's serialized value in Redis 7.0.15's format: the RDB object type byte, the object in its RDB encoding, the
/// RDB version (2 bytes little-endian, 10) and the CRC-64 of all that (8 bytes little-endian, <see cref="Crc64Jones"/>).
/// The type follows the value's encoding here, as Redis's follows its own: a listpack hash (16) or sorted set (17),
/// an intset (11), a quicklist of listpacks (18), else the plain hash (4), set (2) and skip-list sorted set (5).
/// </summary>
/// <remarks>
/// Byte-identical to redis-server's DUMP of the same value wherever the layout depends only on the content and the
/// encoding: strings, listpack hashes and sorted sets, intsets, skip-list sorted sets, and lists whose quicklist
/// nodes Redis filled by pushes at one end. Hash tables (plain hashes and sets) come in this node's table order,
/// which is not Redis's (its order follows a random per-process hash seed); an intset is written at the smallest
/// width that holds its members, where Redis keeps a width it once grew to; a list is packed into nodes as pushes
/// at its tail fill them, where Redis's nodes keep the history of inserts and deletes. Either way Redis's RESTORE
/// reads the payload back to the same value.
/// </remarks>
public static class DumpPayload
{
    public static byte[] ForString(ReadOnlySpan<byte> value)
    {
        var output = new RdbOutput(value.Length + 16);
        output.WriteByte(RdbFormat.TypeString);
        output.WriteString(value);
        return Finish(output);
    }

    public static byte[] ForObject(StoreObject value, EncodingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(settings);
        var output = new RdbOutput((int)Math.Min(value.HeapSize, 1 << 20));
        switch (value)
        {
            case HashObject hash:
                WriteHash(hash, output);
                break;
            case SetObject set:
                WriteSet(set, output);
                break;
            case SortedSetObject sortedSet:
                WriteSortedSet(sortedSet, output);
                break;
            case ListObject list:
                WriteList(list, output, (int)Math.Clamp(settings.ListMaxListpackSize, int.MinValue, int.MaxValue));
                break;
            default:
                throw new ArgumentException("A type DUMP does not know.", nameof(value));
        }

        return Finish(output);
    }

    private static byte[] Finish(RdbOutput output)
    {
        Span<byte> version = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(version, RdbFormat.Version);
        output.WriteRaw(version);
        var crc = Crc64Jones.Compute(output.Written);
        Span<byte> footer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(footer, crc);
        output.WriteRaw(footer);
        return output.Written.ToArray();
    }

    private static void WriteHash(HashObject hash, RdbOutput output)
    {
        if (hash.IsListpack)
        {
            var listpack = new ListpackWriter();
            foreach (var pair in hash)
            {
                listpack.Append(HashObject.FieldOf(pair));
                listpack.Append(HashObject.ValueOf(pair));
            }

            output.WriteByte(RdbFormat.TypeHashListpack);
            output.WriteString(listpack.Finish());
            return;
        }

        output.WriteByte(RdbFormat.TypeHash);
        output.WriteLength((ulong)hash.Count);
        foreach (var pair in hash)
        {
            output.WriteString(HashObject.FieldOf(pair));
            output.WriteString(HashObject.ValueOf(pair));
        }
    }

    private static void WriteSet(SetObject set, RdbOutput output)
    {
        if (set.IsIntset)
        {
            var members = new long[set.Count];
            var n = 0;
            foreach (var member in set)
            {
                members[n++] = member.Integer;
            }

            Array.Sort(members);
            var width = 2;
            foreach (var member in members)
            {
                width = Math.Max(width, member is >= short.MinValue and <= short.MaxValue ? 2 : member is >= int.MinValue and <= int.MaxValue ? 4 : 8);
            }

            var blob = new byte[8 + (width * members.Length)];
            BinaryPrimitives.WriteUInt32LittleEndian(blob, (uint)width);
            BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(4), (uint)members.Length);
            for (var i = 0; i < members.Length; i++)
            {
                var slot = blob.AsSpan(8 + (i * width));
                switch (width)
                {
                    case 2: BinaryPrimitives.WriteInt16LittleEndian(slot, (short)members[i]); break;
                    case 4: BinaryPrimitives.WriteInt32LittleEndian(slot, (int)members[i]); break;
                    default: BinaryPrimitives.WriteInt64LittleEndian(slot, members[i]); break;
                }
            }

            output.WriteByte(RdbFormat.TypeSetIntset);
            output.WriteString(blob);
            return;
        }

        output.WriteByte(RdbFormat.TypeSet);
        output.WriteLength((ulong)set.Count);
        Span<byte> text = stackalloc byte[SetMember.MaxIntegerLength];
        foreach (var member in set)
        {
            output.WriteString(member.Format(text));
        }
    }

    private static void WriteSortedSet(SortedSetObject set, RdbOutput output)
    {
        if (set.IsListpack)
        {
            // zzlInsertAt: the score as d2string prints it, which lpAppend stores as an integer when it reads as one.
            Span<byte> text = stackalloc byte[SortedSetScore.MaxLength];
            var listpack = new ListpackWriter();
            var walker = set.WalkFrom(0, reverse: false);
            while (walker.MoveNext())
            {
                listpack.Append(walker.Member);
                listpack.Append(text[..SortedSetScore.FormatStored(walker.Score, text)]);
            }

            output.WriteByte(RdbFormat.TypeZsetListpack);
            output.WriteString(listpack.Finish());
            return;
        }

        // rdbSaveObject walks the skip list from its tail, so a load inserts each member at the head.
        output.WriteByte(RdbFormat.TypeZset2);
        output.WriteLength((ulong)set.Count);
        if (set.Count == 0)
        {
            return;
        }

        var reverse = set.WalkFrom(0, reverse: true);
        while (reverse.MoveNext())
        {
            output.WriteString(reverse.Member);
            output.WriteBinaryDouble(reverse.Score);
        }
    }

    // The node count comes first, so the nodes are written (and compressed) into a body of their own as each fills,
    // through one listpack buffer, then copied after the count: one copy of the compressed bytes instead of an array
    // per node grown from 64 bytes.
    private static void WriteList(ListObject list, RdbOutput output, int fill)
    {
        var body = new RdbOutput((int)Math.Min(list.HeapSize, 1 << 20));
        // A node's worth (8 KB) for a long list, less for a short one: MIGRATE dumps many small lists.
        var node = new ListpackWriter((int)Math.Min(QuicklistFill.SafetyLimit + 64, list.HeapSize + 16));
        var nodes = 0UL;
        for (long i = 0; i < list.Count; i++)
        {
            var element = list[i];
            if (node.Count > 0 && !QuicklistFill.AllowsInsert(node.TotalBytes, node.Count, element.Length, fill))
            {
                body.WriteLength(RdbFormat.ContainerPacked);
                body.WriteString(node.Finish());
                node.Reset();
                nodes++;
            }

            node.Append(element);
        }

        if (node.Count > 0)
        {
            body.WriteLength(RdbFormat.ContainerPacked);
            body.WriteString(node.Finish());
            nodes++;
        }

        output.WriteByte(RdbFormat.TypeListQuicklist2);
        output.WriteLength(nodes);
        output.WriteRaw(body.Written);
    }
}
