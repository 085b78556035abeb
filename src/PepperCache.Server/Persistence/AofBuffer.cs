using System.Buffers;

namespace PepperCache.Server.Persistence;

/// <summary>
/// A growable byte buffer from the array pool that records are appended to (under the log's write lock) and the
/// writer drains. Two of them alternate, so appending never waits for the disk.
/// </summary>
internal sealed class AofBuffer : IBufferWriter<byte>, IDisposable
{
    // A burst can grow the buffer a lot; past this it goes back to the pool once drained, so it does not pin memory.
    private const int KeepCapacity = 4 * 1024 * 1024;

    // Room for what a second of heavy writing appends between two drains, so the buffers rarely grow.
    private const int InitialCapacity = 512 * 1024;

    private byte[] _array = ArrayPool<byte>.Shared.Rent(InitialCapacity);

    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Written => _array.AsMemory(0, Length);

    public void Advance(int count) => Length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsMemory(Length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsSpan(Length);
    }

    public void Clear()
    {
        Length = 0;
        if (_array.Length > KeepCapacity)
        {
            // Not back to the pool: the shared pool keeps arrays up to 1 GB for good, so a burst (one 500 MB SET)
            // would stay in RSS. The collector takes it instead.
            _array = ArrayPool<byte>.Shared.Rent(InitialCapacity);
        }
    }

    public void Dispose()
    {
        if (_array.Length is > 0 and <= KeepCapacity)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = [];
        }

        Length = 0;
    }

    private void Ensure(int sizeHint)
    {
        var needed = Length + Math.Max(sizeHint, 1);
        if (needed <= _array.Length)
        {
            return;
        }

        var size = (int)Math.Min(Array.MaxLength, Math.Max((long)needed, 2L * _array.Length));
        // Past the kept capacity, arrays of exactly the size from the collector, not the pool (see Clear).
        var bigger = size > KeepCapacity ? GC.AllocateUninitializedArray<byte>(size) : ArrayPool<byte>.Shared.Rent(size);
        _array.AsSpan(0, Length).CopyTo(bigger);
        if (_array.Length <= KeepCapacity)
        {
            ArrayPool<byte>.Shared.Return(_array);
        }

        _array = bigger;
    }
}
