namespace PepperCache.Server.Tests.Persistence;

/// <summary>
/// The AOF file's stream with its writes passed through <see cref="OnWrite"/>, for test storages that make the "disk"
/// fail or slow down on demand; everything else goes straight to the real file.
/// </summary>
internal abstract class InterceptedStream(Stream inner) : Stream
{
    public Stream Inner { get; } = inner;

    public override bool CanRead => Inner.CanRead;

    public override bool CanSeek => Inner.CanSeek;

    public override bool CanWrite => Inner.CanWrite;

    public override long Length => Inner.Length;

    public override long Position { get => Inner.Position; set => Inner.Position = value; }

    public override void Flush() => Inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => Inner.Read(buffer, offset, count);

    public override long Seek(long offset, SeekOrigin origin) => Inner.Seek(offset, origin);

    public override void SetLength(long value) => Inner.SetLength(value);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer) => OnWrite(buffer);

    /// <summary>Writes <paramref name="buffer"/> to <see cref="Inner"/>, or fails, or takes its time.</summary>
    protected abstract void OnWrite(ReadOnlySpan<byte> buffer);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
