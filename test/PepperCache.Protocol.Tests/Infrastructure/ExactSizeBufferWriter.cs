using System.Buffers;

namespace PepperCache.Protocol.Tests.Infrastructure;

/// <summary>
/// The least generous writer the <see cref="IBufferWriter{T}"/> contract allows: every span is exactly as long as
/// asked (one byte when asked for none) and fresh, so writing past what was asked, or advancing further, fails.
/// Records the largest size asked for, to show when a reply is written in chunks.
/// </summary>
internal sealed class ExactSizeBufferWriter : IBufferWriter<byte>
{
    private readonly List<byte> _written = [];
    private byte[] _current = [];

    public int LargestSizeHint { get; private set; }

    public byte[] WrittenBytes => [.. _written];

    public void Advance(int count)
    {
        if (count < 0 || count > _current.Length)
        {
            throw new InvalidOperationException($"advanced {count} bytes on a span of {_current.Length}");
        }

        _written.AddRange(_current.AsSpan(0, count));
        _current = [];
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        LargestSizeHint = Math.Max(LargestSizeHint, sizeHint);
        _current = new byte[Math.Max(sizeHint, 1)];
        _current.AsSpan().Fill(0xEE);
        return _current;
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
}
