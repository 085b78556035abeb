using System.Buffers;

namespace PepperCache.Protocol.Tests.Infrastructure;

/// <summary>Builds multi-segment sequences so tests see the frame boundaries a socket can produce.</summary>
internal static class FragmentedSequence
{
    /// <summary>One segment per array, in order.</summary>
    public static ReadOnlySequence<byte> Create(params ReadOnlyMemory<byte>[] segments)
    {
        if (segments.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        if (segments.Length == 1)
        {
            return new ReadOnlySequence<byte>(segments[0]);
        }

        var first = new TestSegment(segments[0]);
        var last = first;
        for (var i = 1; i < segments.Length; i++)
        {
            last = last.Append(segments[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Cuts <paramref name="data"/> at each offset in <paramref name="cuts"/> (ascending).</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] cuts)
    {
        var parts = new ReadOnlyMemory<byte>[cuts.Length + 1];
        var start = 0;
        for (var i = 0; i < cuts.Length; i++)
        {
            parts[i] = data.AsMemory(start, cuts[i] - start);
            start = cuts[i];
        }

        parts[^1] = data.AsMemory(start);
        return Create(parts);
    }

    /// <summary>Segments of <paramref name="size"/> bytes (the last may be shorter).</summary>
    public static ReadOnlySequence<byte> Chunked(byte[] data, int size)
    {
        var count = Math.Max(1, (data.Length + size - 1) / size);
        var parts = new ReadOnlyMemory<byte>[count];
        for (var i = 0; i < count; i++)
        {
            var start = i * size;
            parts[i] = data.AsMemory(start, Math.Min(size, data.Length - start));
        }

        return Create(parts);
    }

    /// <summary>
    /// The payload in the middle of a larger array fenced by 0xFF guard bytes: a parser that reads outside its
    /// slice, or forgets the slice's offset within the array, sees garbage.
    /// </summary>
    public static ReadOnlySequence<byte> Guarded(byte[] data, int guard = 16)
    {
        var array = new byte[data.Length + (2 * guard)];
        array.AsSpan().Fill(0xFF);
        data.CopyTo(array, guard);
        return new ReadOnlySequence<byte>(array, guard, data.Length);
    }

    private sealed class TestSegment : ReadOnlySequenceSegment<byte>
    {
        public TestSegment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public TestSegment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new TestSegment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
