using System.Buffers;

namespace PepperCache.Server.Resp;

/// <summary>Where replies go while CLIENT REPLY OFF or SKIP silences them: written as usual, then dropped.</summary>
internal sealed class DiscardingWriter : IBufferWriter<byte>
{
    private byte[] _buffer = new byte[4096];

    public void Advance(int count)
    {
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => Scratch(sizeHint);

    public Span<byte> GetSpan(int sizeHint = 0) => Scratch(sizeHint);

    private byte[] Scratch(int sizeHint)
    {
        if (sizeHint > _buffer.Length)
        {
            _buffer = new byte[Math.Max(sizeHint, _buffer.Length * 2)];
        }

        return _buffer;
    }
}
