using System.Buffers;

namespace PepperCache.Server.Transport;

/// <summary>The blocks: the writer's bytes committed at a flush, sent ones let go, the writer's block started over.</summary>
internal sealed partial class EpollOutput
{
    /// <summary>Under the lock: the writer's bytes since its last flush become the sender's.</summary>
    private void Commit()
    {
        if (_unflushed == 0)
        {
            return;
        }

        for (var segment = _lastCommitted ?? _head; segment is not null && segment != _tail; segment = segment.Next)
        {
            segment.Committed = segment.Written;
        }

        _tail!.Committed = _tailWritten;
        _lastCommitted = _tail;
        _queued += _unflushed;
        _unflushed = 0;
    }

    /// <summary>Under the lock: <paramref name="sent"/> bytes left; returns the chain of segments now sent and behind.</summary>
    private Segment? Consume(int sent)
    {
        _queued -= sent;
        Segment? freed = null;
        Segment? freedTail = null;
        while (_head is { } head)
        {
            var take = Math.Min(sent, head.Committed - head.Sent);
            head.Sent += take;
            sent -= take;
            if (head.Sent < head.Committed || head == _lastCommitted)
            {
                // Part of it is left, or the writer may still write into it.
                break;
            }

            _head = head.Next;
            head.Next = null;
            if (freedTail is null)
            {
                freed = head;
            }
            else
            {
                freedTail.Next = head;
            }

            freedTail = head;
        }

        return freed;
    }

    /// <summary>The writer's own segment is a large array (a big reply went out): given back once all of it was sent.</summary>
    private void ReleaseLargeTail()
    {
        Segment? tail;
        lock (_lock)
        {
            tail = _tail;
            if (tail is null || _busy || _blocked || _ended || _head != tail || tail.Sent != tail.Committed || tail.Committed != _tailWritten)
            {
                return;
            }

            _head = _tail = _lastCommitted = null;
            _tailWritten = 0;
        }

        Free(tail);
    }

    /// <summary>
    /// The writer needs <paramref name="size"/> bytes its segment does not have: the segment starts over when all of it
    /// was sent (the usual case: one block per connection), else a new one follows it.
    /// </summary>
    private void MakeRoom(int size)
    {
        lock (_lock)
        {
            var tail = _tail;
            if (tail is not null && !_busy && !_blocked && _head == tail && tail.Sent == tail.Committed &&
                tail.Committed == _tailWritten && tail.Memory.Length >= size)
            {
                tail.Sent = tail.Committed = _tailWritten = 0;
                return;
            }

            if (tail is not null)
            {
                tail.Written = _tailWritten;
            }

            var owner = _pool.Rent(size);
            var segment = _spare ?? new Segment();
            _spare = null;
            segment.Owner = owner;
            segment.Memory = owner.Memory;
            segment.Sent = segment.Committed = segment.Written = 0;
            if (_head is null)
            {
                _head = segment;
            }
            else
            {
                tail!.Next = segment;
            }

            _tail = segment;
            _tailWritten = 0;
        }
    }

    /// <summary>Under the lock, after the end: drops what was written, keeping the writer's segment for its next writes.</summary>
    private Segment? DiscardLocked()
    {
        _unflushed = 0;
        if (_tail is null)
        {
            return null;
        }

        Segment? freed = null;
        if (_head != _tail)
        {
            freed = _head;
            for (var segment = _head; segment is not null; segment = segment.Next)
            {
                if (segment.Next == _tail)
                {
                    segment.Next = null;
                    break;
                }
            }
        }

        _head = _lastCommitted = _tail;
        _tail.Sent = _tail.Committed = _tail.Written = _tailWritten = 0;
        return freed;
    }

    /// <summary>Under the lock: every segment, for the end of both sides.</summary>
    private Segment? DetachAllLocked()
    {
        var all = _head;
        _head = _tail = _lastCommitted = null;
        _tailWritten = 0;
        _unflushed = 0;
        return all;
    }

    private void Free(Segment chain)
    {
        for (var segment = chain; segment is not null;)
        {
            var next = segment.Next;
            segment.Owner?.Dispose();
            segment.Owner = null;
            segment.Memory = default;
            segment.Next = null;
            lock (_lock)
            {
                _spare ??= segment;
            }

            segment = next;
        }
    }

    private sealed class Segment
    {
        public IMemoryOwner<byte>? Owner;
        public Memory<byte> Memory;

        // Under the lock: bytes sent, and bytes the sender may send.
        public int Sent;
        public int Committed;

        // The writer's: how far it wrote before it moved to the next segment.
        public int Written;
        public Segment? Next;
    }
}
