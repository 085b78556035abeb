using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PepperCache.Server.Transport;

/// <summary>
/// The epoll transport's pipe memory, as Kestrel's pinned block pool: 4 KB blocks on the pinned object heap, so a
/// receive or send hands the kernel their address without pinning anything per call. Larger requests (a big reply
/// written in one span) get an array from the shared pool, pinned by a handle only while it is sent.
/// </summary>
internal sealed class PinnedBlockPool : MemoryPool<byte>
{
    internal const int BlockSize = 4096;

    // Blocks are kept for reuse up to this many; beyond it a returned block is left to the GC.
    private const int MaxRetained = 16 * 1024;

    private readonly ConcurrentQueue<Block> _blocks = new();

    // Blocks in the queue, kept apart: ConcurrentQueue.Count locks once the queue spans several segments.
    private int _retained;

    public override int MaxBufferSize => int.MaxValue;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize > BlockSize)
        {
            return Shared.Rent(minBufferSize);
        }

        if (_blocks.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _retained);
            return block.Lease();
        }

        return new Block(this).Lease();
    }

    protected override void Dispose(bool disposing)
    {
        _blocks.Clear();
    }

    private void Return(Block block)
    {
        if (Interlocked.Increment(ref _retained) <= MaxRetained)
        {
            _blocks.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _retained);
        }
    }

    private sealed unsafe class Block(PinnedBlockPool pool) : MemoryManager<byte>, IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);
        private int _leased;

        public Block Lease()
        {
            _leased = 1;
            return this;
        }

        public override Span<byte> GetSpan() => _array;

        public override MemoryHandle Pin(int elementIndex = 0) =>
            new(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_array), elementIndex)));

        public override void Unpin()
        {
        }

        void IDisposable.Dispose()
        {
            if (Interlocked.Exchange(ref _leased, 0) == 1)
            {
                pool.Return(this);
            }
        }

        protected override bool TryGetArray(out ArraySegment<byte> segment)
        {
            segment = new ArraySegment<byte>(_array);
            return true;
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}
