using System.Buffers;
using System.Globalization;
using PepperCache.Client;
using PepperCache.Core.Storage;
using PepperCache.Protocol;

namespace PepperCache.Server.Cluster;

// How a slot's keys are cut into PEPPER.IMPORT commands: a large collection in pieces, every command bounded.
internal sealed partial class RebalanceService
{
    /// <summary>
    /// Most elements in one piece of a collection. A collection with more (or with more than <see cref="PieceBytes"/>
    /// of payload) travels in pieces; one within both bounds travels whole, as before pieces existed, so a node of an
    /// older build still takes it (nearly every collection: the compact encodings end at 128 to 512 elements). The target adds
    /// a piece's elements under its import lock, so the bound also keeps each hold of that lock short; Redis's AOF
    /// rewrite cuts a collection much finer (64 items a command), which would cost an argument triple per 64 elements.
    /// </summary>
    internal const int PieceElements = 1_000;

    /// <summary>
    /// Most payload bytes in one piece (an element larger than this goes alone). Each side holds a piece whole (the
    /// target's parser buffers the argument), so this bounds what one key costs in flight, where a collection of
    /// millions of elements in one argument made one array of tens or hundreds of MB on both sides.
    /// </summary>
    internal const int PieceBytes = 1 << 20;

    /// <summary>
    /// Most bytes of keys and values in one PEPPER.IMPORT (a single larger string goes alone). The target buffers a
    /// whole command before running it, holds the import lock while it runs, and its AOF takes it as one record; four
    /// pieces' worth keeps each of those small while a command still carries enough to make its round trip cheap.
    /// </summary>
    internal const int ImportCommandBytes = 4 << 20;

    /// <summary>Pieces sent of collections too large to travel whole; for tests and diagnostics.</summary>
    internal long PiecesSent;

    /// <summary>
    /// Drops the collections this node was rebuilding from pieces for a slot that has had no import for
    /// <see cref="ImportGrace"/>: their mover gave up half-way (it crashed, or the slot went elsewhere) and will send no
    /// RESET. Part of the stray-key sweep; returns true when some are left, so the sweep comes back.
    /// </summary>
    private bool DropAbandonedPieces()
    {
        var migration = _server.Migration;
        var store = _server.Store;
        lock (migration.ImportLock)
        {
            if (migration.Pieces.Count == 0)
            {
                return false;
            }

            var now = store.Now;
            return migration.Pieces.DropAbandoned(slot => now - migration.LastImportAt(slot) >= (long)ImportGrace.TotalMilliseconds).Remaining;
        }
    }

    /// <summary>
    /// Queues the PEPPER.IMPORT commands for <paramref name="slots"/> (each: its index for <paramref name="replies"/>, its
    /// number as text, its entries): RESET with a slot's first command and APPEND with the rest, each command at most
    /// <see cref="ImportChunkKeys"/> keys or pieces and about <see cref="ImportCommandBytes"/>, a large collection in
    /// pieces; written straight into the connection's buffer and flushed together. Returns the pieces sent.
    /// </summary>
    private static async Task<int> SendImportsAsync(
        RespConnection connection, List<(int Index, byte[] SlotText, List<SlotEntry> Entries)> slots, List<(int Index, Task<RespReply> Reply)> replies,
        CancellationToken cancellationToken)
    {
        // A batch of a few thousand keys would grow a list of triples onto the large-object heap several times a batch.
        using var triples = new TripleList(slots.Sum(slot => slot.Entries.Count));
        var commands = new List<(int Slot, int Start, int Count)>();
        var pieces = 0;
        for (var s = 0; s < slots.Count; s++)
        {
            var first = triples.Count;
            pieces += PlanTriples(slots[s].Entries, triples);
            var start = first;
            long bytes = 0;
            for (var t = first; t < triples.Count; t++)
            {
                var size = triples[t].Bytes + slots[s].Entries[triples[t].Entry].Key.Length;
                if (t > start && (t - start == ImportChunkKeys || bytes + size > ImportCommandBytes))
                {
                    commands.Add((s, start, t - start));
                    start = t;
                    bytes = 0;
                }

                bytes += size;
            }

            // A slot with no keys still gets its RESET.
            commands.Add((s, start, triples.Count - start));
        }

        // Commands are written in order, so the cursor of the collection being cut into pieces carries from one to the next.
        PayloadCursor? open = null;
        var sentCommands = await connection.ExecuteManyAsync(
            commands.Count,
            (output, c) =>
            {
                var (s, start, count) = commands[c];
                var first = c == 0 || commands[c - 1].Slot != s;
                WriteImport(output, slots[s].SlotText, first, slots[s].Entries, triples, start, count, ref open);
            },
            cancellationToken).ConfigureAwait(false);
        for (var c = 0; c < commands.Count; c++)
        {
            replies.Add((slots[commands[c].Slot].Index, sentCommands[c]));
        }

        return pieces;
    }

    /// <summary>
    /// Adds the triples of <paramref name="entries"/> to <paramref name="into"/>: one per string and per collection
    /// within the piece bounds, one per piece of a larger collection (measured by walking its clone); returns the pieces.
    /// </summary>
    private static int PlanTriples(List<SlotEntry> entries, TripleList into)
    {
        var pieces = 0;
        for (var e = 0; e < entries.Count; e++)
        {
            if (entries[e].Object is not { } collection)
            {
                into.Add(new ImportTriple(e, ImportPart.Whole, 0, entries[e].Value.Length));
                continue;
            }

            var firstPiece = into.Count;
            var cursor = collection.OpenPayloadCursor();
            int elements = 0, total = 0;
            long bytes = 0;
            while (cursor.MoveNext())
            {
                var size = cursor.Size;
                if (elements > 0 && (elements == PieceElements || bytes + size > PieceBytes))
                {
                    into.Add(new ImportTriple(e, into.Count == firstPiece ? ImportPart.First : ImportPart.Next, elements, bytes));
                    elements = 0;
                    bytes = 0;
                }

                elements++;
                total++;
                bytes += size;
            }

            if (into.Count == firstPiece)
            {
                into.Add(new ImportTriple(e, ImportPart.Whole, elements, bytes));
                continue;
            }

            into.Add(new ImportTriple(e, ImportPart.Next, elements, bytes));
            into[firstPiece] = into[firstPiece] with { Total = total };
            pieces += into.Count - firstPiece;
        }

        return pieces;
    }

    /// <summary>
    /// <c>PEPPER.IMPORT slot RESET|APPEND [expires-at-ms key value ...]</c> for <paramref name="count"/> triples from
    /// <paramref name="start"/>, encoded from the exported entries: no argument array, no copy of a string's value,
    /// and a collection's payload written element by element from its clone (<paramref name="open"/>: the cursor of
    /// the collection whose pieces are being written).
    /// </summary>
    private static void WriteImport(
        IBufferWriter<byte> output, byte[] slotText, bool first, List<SlotEntry> entries, TripleList triples, int start, int count,
        ref PayloadCursor? open)
    {
        output.WriteArrayHeader(3 + (3 * count));
        output.WriteBulkString(ImportWord);
        output.WriteBulkString(slotText);
        output.WriteBulkString(first ? ResetWord : AppendWord);
        Span<byte> typed = stackalloc byte[64];
        for (var t = start; t < start + count; t++)
        {
            var triple = triples[t];
            var (key, value, collection, _) = entries[triple.Entry];
            var expiresAt = value.ExpiresAt;
            if (collection is null)
            {
                if (expiresAt == 0)
                {
                    output.WriteBulkString(NoExpiryWord);
                }
                else
                {
                    output.WriteBulkString(expiresAt);
                }

                output.WriteBulkString(key);
                output.WriteBulkString(value.Span);
                continue;
            }

            // A collection: "<type>:<expires-at>", with ":<total>" on a first piece and ":+" on the next ones, then its
            // payload (MigrationCommands.Import reads it back).
            ((int)collection.Type).TryFormat(typed, out var written, default, CultureInfo.InvariantCulture);
            typed[written++] = (byte)':';
            expiresAt.TryFormat(typed[written..], out var digits, default, CultureInfo.InvariantCulture);
            written += digits;
            if (triple.Part == ImportPart.First)
            {
                typed[written++] = (byte)':';
                triple.Total.TryFormat(typed[written..], out digits, default, CultureInfo.InvariantCulture);
                written += digits;
            }
            else if (triple.Part == ImportPart.Next)
            {
                typed[written++] = (byte)':';
                typed[written++] = (byte)'+';
            }

            output.WriteBulkString(typed[..written]);
            output.WriteBulkString(key);
            if (triple.Part != ImportPart.Next)
            {
                open = collection.OpenPayloadCursor();
            }

            WritePayload(output, open!, triple.Elements, triple.Bytes);
        }
    }

    /// <summary>
    /// The next <paramref name="elements"/> of <paramref name="cursor"/> as one bulk string: a payload of them, whose
    /// element bytes the plan measured as <paramref name="bytes"/>.
    /// </summary>
    private static void WritePayload(IBufferWriter<byte> output, PayloadCursor cursor, int elements, long bytes)
    {
        var length = StoreObjectFormat.HeaderSize(elements) + bytes;
        var header = output.GetSpan(24);
        header[0] = (byte)'$';
        length.TryFormat(header[1..], out var digits, default, CultureInfo.InvariantCulture);
        header[1 + digits] = (byte)'\r';
        header[2 + digits] = (byte)'\n';
        output.Advance(3 + digits);
        StoreObjectFormat.WriteHeader(output, elements);
        long written = 0;
        for (var i = 0; i < elements && cursor.MoveNext(); i++)
        {
            written += cursor.Size;
            cursor.Write(output);
        }

        // The walk must repeat the plan's, or the bulk length written above is a lie and the stream is lost: fail the connection instead.
        if (written != bytes)
        {
            throw new InvalidOperationException($"a collection's payload walked to {written} bytes where its plan measured {bytes}");
        }

        output.Write("\r\n"u8);
    }

    private enum ImportPart : byte
    {
        /// <summary>A string, or a collection within the piece bounds (today's form).</summary>
        Whole,

        /// <summary>The first piece of a large collection (it announces the total).</summary>
        First,

        /// <summary>A following piece.</summary>
        Next,
    }

    /// <summary>One <c>expiry key value</c> of a command: entry <paramref name="Entry"/> of its slot, whole or one piece of it.</summary>
    /// <param name="Elements">A collection's elements in this triple.</param>
    /// <param name="Bytes">The value's bytes: a string's, or the elements' payload bytes without the header.</param>
    /// <param name="Total">On a first piece, the collection's elements.</param>
    private readonly record struct ImportTriple(int Entry, ImportPart Part, int Elements, long Bytes, long Total = 0);

    /// <summary>A batch's triples in an array from the shared pool, given back when the batch is written.</summary>
    private sealed class TripleList(int capacity) : IDisposable
    {
        private ImportTriple[] _items = ArrayPool<ImportTriple>.Shared.Rent(Math.Max(16, capacity));

        public int Count { get; private set; }

        public ImportTriple this[int index]
        {
            get => _items[index];
            set => _items[index] = value;
        }

        public void Add(ImportTriple triple)
        {
            if (Count == _items.Length)
            {
                var larger = ArrayPool<ImportTriple>.Shared.Rent(_items.Length * 2);
                _items.AsSpan(0, Count).CopyTo(larger);
                ArrayPool<ImportTriple>.Shared.Return(_items);
                _items = larger;
            }

            _items[Count++] = triple;
        }

        public void Dispose()
        {
            ArrayPool<ImportTriple>.Shared.Return(_items);
            _items = [];
            Count = 0;
        }
    }
}
