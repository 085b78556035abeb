using Microsoft.Extensions.Time.Testing;
using PepperCache.Core.Storage;
using PepperCache.Protocol;
using static PepperCache.Core.Tests.TestBytes;

namespace PepperCache.Core.Tests;

/// <summary>
/// APPEND, SETRANGE and <see cref="KeyValueStore.UpdateString{TOperation}"/> change a spacious value in place while no
/// reader holds it (Redis's cost), and copy it once a reader does, so what a reader was handed never changes.
/// </summary>
public sealed class KeyValueStoreInPlaceStringTests
{
    private readonly KeyValueStore _store = new(new FakeTimeProvider());

    [Fact]
    public void AppendWithSpareRoomAllocatesNoNewValue()
    {
        _store.Set("log"u8, new byte[1000]);
        // The first APPEND copies the value into a spacious entry with room for twice its length (2,032 bytes).
        _store.Append("log"u8, new byte[16]);
        var piece = new byte[16];

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 60; i++)
        {
            _store.Append("log"u8, piece);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(1000 + (61 * 16), _store.StringLength("log"u8));
    }

    [Fact]
    public void BuildingAValueByAppendsCopiesItAFewTimesNotOncePerAppend()
    {
        var piece = new byte[16];
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 65_536; i++)
        {
            _store.Append("log"u8, piece);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // 1 MB built 16 bytes at a time: geometric growth allocates under 4x the final size; a copy per APPEND, 32 GB.
        Assert.Equal(1 << 20, _store.StringLength("log"u8));
        Assert.InRange(allocated, 1 << 20, 4 << 20);
    }

    [Fact]
    public void SetRangeAndUpdateStringInPlaceAllocateNothing()
    {
        _store.SetRange("bits"u8, 0, new byte[4096]);
        var flip = new FillOperation(0);
        _store.UpdateString("bits"u8, unshare: true, ref flip);
        var value = new byte[8];

        var changed = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            _store.SetRange("bits"u8, i * 8, value);
            var operation = new FillOperation((byte)i);
            changed += _store.UpdateString("bits"u8, unshare: true, ref operation) == StringUpdateResult.Changed ? 1 : 0;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(100, changed);
        Assert.Equal(0, allocated);
        Assert.True(_store.TryGet("bits"u8, out var read));
        Assert.Equal(4096, read.Length);
        Assert.All(read.Span.ToArray(), b => Assert.Equal(99, b));
    }

    [Fact]
    public void AValueAReaderHoldsNeverChangesUnderIt()
    {
        _store.Set("k"u8, "abc"u8);
        _store.Append("k"u8, "def"u8);
        Assert.True(_store.TryGet("k"u8, out var held));
        var snapshot = new List<StoredEntry>();
        _store.Snapshot(snapshot);

        _store.Append("k"u8, "ghi"u8);
        _store.SetRange("k"u8, 0, "XY"u8);
        var operation = new FillOperation((byte)'z');
        _store.UpdateString("k"u8, unshare: true, ref operation);

        Assert.Equal("abcdef", S(held.Span));
        Assert.Equal(6, held.Length);
        Assert.Equal("abcdef", S(snapshot.Single().Value));
        Assert.True(_store.TryGet("k"u8, out var now));
        Assert.Equal("zzzzzzzzz", S(now.Span));
    }

    [Fact]
    public void CombineStringsPinsItsSourcesOnlyWhenTheOperationKeepsThem()
    {
        _store.SetRange("{s}a"u8, 0, "abcd"u8);
        _store.SetRange("{s}b"u8, 0, "wxyz"u8);
        var borrowing = new ReadSources(keeps: false);
        _store.CombineStrings(Request("X", "{s}a", "{s}b"), 1, 3, -1, keepDestinationTtl: false, ref borrowing, out _);
        var keeping = new ReadSources(keeps: true);
        _store.CombineStrings(Request("X", "{s}b"), 1, 2, -1, keepDestinationTtl: false, ref keeping, out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        _store.SetRange("{s}a"u8, 0, "A"u8);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        _store.SetRange("{s}b"u8, 0, "W"u8);

        Assert.Equal(0, allocated);
        Assert.Equal("wxyz", S(keeping.First.Span));
        Assert.Equal("Abcd", Read("{s}a"));
        Assert.Equal("Wxyz", Read("{s}b"));
    }

    [Fact]
    public void AnInPlaceChangeAfterAnExportLeavesTheSlotChanged()
    {
        var key = "{m}bitmap"u8;
        _store.SetRange(key, 0, "abcd"u8);
        _store.SetRange(key, 1, "B"u8);
        var exported = new List<SlotEntry>();
        _store.ExportSlot(HashSlot.Of(key), exported);
        Assert.True(_store.SlotUnchangedSince(HashSlot.Of(key), exported));

        _store.SetRange(key, 2, "C"u8);

        Assert.False(_store.SlotUnchangedSince(HashSlot.Of(key), exported));
        Assert.Equal("aBcd", S(exported.Single().Value.Span));
    }

    [Fact]
    public void MemoryCountsTheSpareRoomAndTheEncodingIsRaw()
    {
        _store.Set("k"u8, new byte[100_000]);
        var plain = _store.UsedMemoryExact;
        _store.Append("k"u8, "x"u8);

        Assert.True(_store.TryDescribe("k"u8, out var description));
        Assert.Equal("raw", description.Encoding);
        Assert.InRange(description.Bytes, 200_002, 200_200);
        Assert.InRange(_store.UsedMemoryExact - plain, 100_000, 100_200);
        Assert.Equal(100_001, _store.StringLength("k"u8));

        // A plain SET gives the room back.
        _store.Set("k"u8, new byte[100_000]);
        Assert.Equal(plain, _store.UsedMemoryExact);
    }

    [Fact]
    public void GrowingIntoSpareRoomReadsZerosNotStaleBytes()
    {
        _store.SetRange("k"u8, 0, "abcdefgh"u8);
        _store.Append("k"u8, "ijklmnop"u8);
        var shrink = new LengthOperation(4);
        _store.UpdateString("k"u8, unshare: true, ref shrink);
        var grow = new LengthOperation(12);
        _store.UpdateString("k"u8, unshare: true, ref grow);
        _store.SetRange("k"u8, 14, "Z"u8);

        Assert.True(_store.TryGet("k"u8, out var value));
        Assert.Equal("abcd\0\0\0\0\0\0\0\0\0\0Z", S(value.Span));
    }

    [Fact]
    public void RenameAndCopyOfASpaciousValueCarryTheValueOnly()
    {
        _store.Set("a"u8, "hello"u8);
        _store.Append("a"u8, " world"u8);
        Assert.Equal(CopyResult.Copied, _store.Copy("a"u8, "b"u8, replace: false));
        _store.Append("a"u8, "!"u8);
        _store.Rename("a"u8, "c"u8, onlyIfTargetMissing: false);
        _store.Append("c"u8, "?"u8);
        _store.Append("b"u8, "."u8);

        Assert.Equal("hello world!?", Read("c"));
        Assert.Equal("hello world.", Read("b"));
        Assert.True(_store.TryDescribe("b"u8, out var description));
        Assert.Equal("raw", description.Encoding);
    }

    [Fact]
    public async Task ConcurrentReadersNeverSeeATornValue()
    {
        // Every state the writer leaves is one byte repeated; a torn read would mix two of them.
        var key = "{t}value"u8.ToArray();
        const int Length = 64 * 1024;
        _store.SetRange(key, 0, new byte[Length]);
        var done = 0;
        var reads = 0L;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var deadline = Environment.TickCount64 + 5_000;

        var writer = Task.Run(() =>
        {
            var fill = new byte[Length + (1_000 * 16)];
            var length = Length;
            for (var i = 1; i <= 3_000 && Environment.TickCount64 < deadline; i++)
            {
                var b = (byte)(i % 251);
                Array.Fill(fill, b);
                switch (i % 3)
                {
                    case 0:
                        _store.SetRange(key, 0, fill.AsSpan(0, length));
                        break;
                    case 1:
                        var operation = new FillOperation(b);
                        _store.UpdateString(key, unshare: true, ref operation);
                        break;
                    default:
                        // Fill what is there, then grow by a few bytes of the same value: still one byte repeated.
                        var fillAll = new FillOperation(b);
                        _store.UpdateString(key, unshare: true, ref fillAll);
                        _store.Append(key, fill.AsSpan(0, 16));
                        length += 16;
                        break;
                }
            }

            Volatile.Write(ref done, 1);
        }, TestContext.Current.CancellationToken);

        var readers = Enumerable.Range(0, 2).Select(reader => Task.Run(() =>
        {
            var exported = new List<SlotEntry>();
            var snapshot = new List<StoredEntry>();
            for (var n = 0; n < 1_000_000 && Volatile.Read(ref done) == 0; n++)
            {
                switch (n % 4)
                {
                    case 0:
                        Check(_store.TryGet(key, out var value) ? value.Span : default, failures);
                        break;
                    case 1:
                        // GETRANGE reads a slice of what TryGet gave.
                        if (_store.TryGet(key, out var ranged))
                        {
                            Check(ranged.Span[(ranged.Length / 2)..], failures);
                        }

                        break;
                    case 2:
                        exported.Clear();
                        _store.ExportSlot(HashSlot.Of(key), exported);
                        Check(exported.Single().Value.Span, failures);
                        break;
                    default:
                        snapshot.Clear();
                        _store.Snapshot(snapshot);
                        Check(snapshot.Single().Value, failures);
                        Assert.InRange(_store.StringLength(key), Length, Length + (1_000 * 16));
                        break;
                }

                Interlocked.Increment(ref reads);
            }
        }, TestContext.Current.CancellationToken)).ToArray();

        await Task.WhenAll([writer, .. readers]).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.Empty(failures);
        Assert.True(Interlocked.Read(ref reads) > 0);
    }

    private static void Check(ReadOnlySpan<byte> value, System.Collections.Concurrent.ConcurrentQueue<string> failures)
    {
        if (value.IsEmpty || value.IndexOfAnyExcept(value[0]) >= 0)
        {
            failures.Enqueue($"torn value of {value.Length} bytes");
        }
    }

    private string Read(string key) => _store.TryGet(B(key), out var value) ? S(value.Span) : "(missing)";

    /// <summary>Reads the sources and writes nothing, keeping the first source's value when asked to.</summary>
    private struct ReadSources(bool keeps) : IStringsOperation
    {
        public StoreValue First;

        public readonly bool KeepsSources => keeps;

        public long Prepare(ReadOnlySpan<StoreValue> sources, bool complete)
        {
            First = keeps ? sources[0] : default;
            return KeyValueStore.KeepDestination;
        }

        public readonly void Write(ReadOnlySpan<StoreValue> sources, Span<byte> target)
        {
        }
    }

    /// <summary>Sets every byte of the value, keeping its length.</summary>
    private readonly struct FillOperation(byte value) : IStringUpdate
    {
        public long Prepare(ReadOnlySpan<byte> current, bool exists) => current.Length;

        public void Apply(Span<byte> target) => target.Fill(value);
    }

    /// <summary>Cuts or grows the value to a length, as a sparse HLL that merges or splits opcodes does.</summary>
    private readonly struct LengthOperation(int length) : IStringUpdate
    {
        public long Prepare(ReadOnlySpan<byte> current, bool exists) => length;

        public void Apply(Span<byte> target)
        {
        }
    }
}
