using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PepperCache.Protocol;

/// <summary>
/// One parsed command: an argument count plus argument slices. A connection owns one instance and reuses it for
/// every command, so parsing allocates nothing per command.
/// </summary>
/// <remarks>
/// Arguments point into the receive buffer when the frame sits in one array-backed segment (the common case), or
/// into a scratch buffer owned by this instance when the frame straddles segments or is an inline command that
/// needed unquoting. Either way an argument is valid only until the next <see cref="RespParser.TryReadCommand"/>
/// call or until the reader's buffer is released, so anything kept must be copied. A command too big to wait for
/// in the reader's buffer (<see cref="BufferedFrameLimit"/>) is taken into memory of this instance instead, its
/// large arguments each into an array of their own.
/// </remarks>
public sealed partial class RespRequest : IDisposable
{
    // Scratch buffers above this size are rented per frame and returned, so one huge value does not pin memory
    // to an idle connection for its lifetime.
    private const int KeptScratchSize = 64 * 1024;

    private ArgRange[] _args = new ArgRange[8];
    private byte[] _array = [];
    private int _baseOffset;
    private byte[] _scratch = [];
    private byte[]? _rented;

    /// <summary>An empty request, reused for every command a connection parses.</summary>
    /// <param name="limits">The parser's limits; <see cref="RespLimits.Default"/> when null.</param>
    public RespRequest(RespLimits? limits = null) => Limits = limits ?? RespLimits.Default;

    /// <summary>The limits the parser checks while filling this request; may be replaced between commands.</summary>
    public RespLimits Limits { get; set; }

    /// <summary>
    /// The client must authenticate and has not: as Redis 7.0, a command of more than <see
    /// cref="RespLimits.MaxUnauthenticatedArguments"/> arguments, or an argument longer than <see
    /// cref="RespLimits.MaxUnauthenticatedBulkLength"/>, is a protocol error, so a stranger cannot make the server
    /// buffer much. May change between commands (AUTH, RESET).
    /// </summary>
    public bool Unauthenticated { get; set; }

    /// <summary>Number of arguments, the command name included.</summary>
    public int Count { get; private set; }

    /// <summary>True when the command arrived as an inline (telnet-style) line.</summary>
    public bool IsInline { get; private set; }

    /// <summary>
    /// After <see cref="RespParser.TryReadCommand"/> returned false: how many bytes, counted from where the reader
    /// was left, must be buffered before parsing again is worthwhile. Lets the connection skip re-parsing a large
    /// frame on every read while it trickles in. Always more than is buffered and never more than the command
    /// needs; for a frame past 64 KB at most twice what is buffered (unless one bulk body needs more), below that just
    /// the next byte or the end of the bulk body being read. A hint to wait, never a size to allocate.
    /// </summary>
    public long BytesNeeded { get; internal set; }

    /// <summary>Argument <paramref name="index"/> (0 is the command name), valid until the next parse or <see cref="Dispose"/>.</summary>
    /// <param name="index">0 to <see cref="Count"/> - 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside the arguments.</exception>
    public ReadOnlySpan<byte> this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if ((uint)index >= (uint)Count)
            {
                ThrowIndex();
            }

            ref readonly var range = ref _args[index];
            return range.Own is { } own
                ? new ReadOnlySpan<byte>(own, range.Start, range.Length)
                : new ReadOnlySpan<byte>(_array, _baseOffset + range.Start, range.Length);
        }
    }

    /// <summary>The command name (argument 0).</summary>
    public ReadOnlySpan<byte> Name => this[0];

    /// <summary>Argument <paramref name="index"/> decoded as UTF-8 text; allocates, so not for the hot path.</summary>
    public string GetString(int index) => System.Text.Encoding.UTF8.GetString(this[index]);

    /// <summary>Argument <paramref name="index"/> as a new array (for values that must outlive the request).</summary>
    public byte[] ToArray(int index) => this[index].ToArray();

    /// <summary>Returns any pooled buffers the request holds.</summary>
    public void Dispose()
    {
        ReleaseRented();
        ReleaseTaken();
    }

    internal void Reset()
    {
        if (_ownsArguments)
        {
            ReleaseTaken();
        }

        Count = 0;
        IsInline = false;
        BytesNeeded = 0;
        ReleaseRented();
    }

    internal void MarkInline() => IsInline = true;

    /// <summary>Forgets an empty command the parser skipped, keeping buffers for the next one.</summary>
    internal void ClearArguments()
    {
        Count = 0;
        IsInline = false;
    }

    internal void AddArgument(int start, int length)
    {
        if (Count == _args.Length)
        {
            Array.Resize(ref _args, _args.Length * 2);
        }

        _args[Count++] = new ArgRange(start, length);
    }

    /// <summary>Points the arguments at <paramref name="frame"/>, copying it only when it is not one array segment.</summary>
    internal void SetSource(in ReadOnlySequence<byte> frame)
    {
        if (frame.IsSingleSegment && MemoryMarshal.TryGetArray(frame.First, out var segment))
        {
            _array = segment.Array!;
            _baseOffset = segment.Offset;
            return;
        }

        var length = checked((int)frame.Length);
        var buffer = RentScratch(length);
        frame.CopyTo(buffer);
        _array = buffer;
        _baseOffset = 0;
    }

    /// <summary>A scratch buffer of at least <paramref name="length"/> bytes, which becomes the argument source.</summary>
    internal byte[] RentScratch(int length)
    {
        byte[] buffer;
        if (length <= KeptScratchSize)
        {
            if (_scratch.Length < length)
            {
                _scratch = new byte[Math.Max(length, Math.Min(KeptScratchSize, Math.Max(256, _scratch.Length * 2)))];
            }

            buffer = _scratch;
        }
        else
        {
            ReleaseRented();
            buffer = _rented = ArrayPool<byte>.Shared.Rent(length);
        }

        _array = buffer;
        _baseOffset = 0;
        return buffer;
    }

    private void ReleaseRented()
    {
        if (_rented is { } rented)
        {
            _rented = null;
            if (ReferenceEquals(_array, rented))
            {
                _array = [];
                Count = 0;
            }

            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void ThrowIndex() => throw new ArgumentOutOfRangeException("index");

    /// <summary>An argument: a slice of the source array, or of an array of its own when <paramref name="Own"/> is set.</summary>
    private readonly record struct ArgRange(int Start, int Length, byte[]? Own = null);
}
