namespace PepperCache.Benchmark;

/// <summary>A growable byte buffer that a batch of commands is written into and sent from with one write.</summary>
internal sealed class CommandBuffer
{
    private byte[] _bytes;

    public CommandBuffer(int capacity = 4096) => _bytes = new byte[capacity];

    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Written => _bytes.AsMemory(0, Length);

    public ReadOnlySpan<byte> Slice(int start, int length) => _bytes.AsSpan(start, length);

    public void Clear() => Length = 0;

    /// <summary>Drops everything written after <paramref name="length"/>.</summary>
    public void Truncate(int length) => Length = length;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        Length += bytes.Length;
    }

    /// <summary>Writes <paramref name="value"/> as exactly <paramref name="digits"/> decimal digits, zero-padded.</summary>
    public void WriteDigits(ulong value, int digits)
    {
        var span = Reserve(digits);
        for (var i = digits - 1; i >= 0; i--)
        {
            span[i] = (byte)('0' + (value % 10));
            value /= 10;
        }

        Length += digits;
    }

    private Span<byte> Reserve(int count)
    {
        if (Length + count > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Length + count));
        }

        return _bytes.AsSpan(Length, count);
    }
}
