using System.Buffers;

namespace PepperCache.Protocol;

/// <summary>
/// A command taken out of the reader's buffer while it arrives (<see cref="BufferedFrameLimit"/>): its small
/// arguments are copied back to back into a spill array, each large one (Redis's 32 KB "big argument") into an array
/// of exactly its size as its bytes come in, so a 500 MB value costs 500 MB here and nothing in the caller's buffer.
/// With the limit set, a command with a large argument up to the limit's size is always taken, from that argument's
/// header on, whole or not; a larger one once it has arrived whole, or once the limit's worth of the command has.
/// </summary>
public sealed partial class RespRequest
{
    /// <summary>Redis's PROTO_MBULK_BIG_ARG: an argument this long gets an array of its own (with <see cref="BufferedFrameLimit"/> set).</summary>
    public const int LargeArgument = 32 * 1024;

    private byte[] _spill = [];
    private int _spillLength;
    private byte[]? _large;
    private int _largeStart;
    private int _largeFilled;
    private int _largeTrailer;
    private long _argumentsToTake;
    private bool _taking;
    private bool _ownsArguments;

    /// <summary>
    /// Largest incomplete command left in the reader's buffer; 0 (the default) leaves any command there until it is
    /// whole. Past it the parser copies the part received into this instance and moves the reader past it, so a
    /// caller whose buffer pauses its producer at some size (a pipe's pause threshold) need not hold whole commands.
    /// The caller must then give the next call the bytes from where the reader was left: the command continues there.
    /// </summary>
    public int BufferedFrameLimit { get; set; }

    /// <summary>
    /// Bytes left free in front of each large argument's array, beyond the length of the argument before it (0 by
    /// default). A store whose entries are <c>[header][key][value]</c> sets its header size, so that <c>SET key value</c>
    /// can keep the array as its entry instead of copying the value (<see cref="TryGetOwnArray"/>).
    /// </summary>
    public int LargeArgumentHeadroom { get; set; }

    /// <summary>Where a large argument's array comes from (exactly the length asked, content stale); a new array when unset.</summary>
    public Func<int, byte[]>? LargeArgumentArrays { get; set; }

    /// <summary>
    /// Where a large argument's array goes once the next command (or disposal) lets go of this one, unless a caller kept
    /// it (<see cref="TryGetOwnArray"/>): LPUSH or HSET of a large value copies it, so the array can take the next one.
    /// </summary>
    public Action<byte[]>? LargeArgumentReturn { get; set; }

    // Arguments (below 64) whose own array a caller kept; the others go back through LargeArgumentReturn.
    private ulong _keptArrays;

    /// <summary>Bytes this instance holds for the arguments of a command being taken; 0 when none is.</summary>
    public long TakenBytes { get; private set; }

    /// <summary>True from the first bytes taken until the command is whole.</summary>
    internal bool IsTaking => _taking;

    /// <summary>The current command was assembled here rather than read in place: its bytes are gone from the reader's buffer.</summary>
    public bool WasTaken => _ownsArguments && !_taking;

    internal bool IsTakingLargeArgument => _large is not null;

    internal long ArgumentsToTake => _argumentsToTake;

    internal bool ShouldTake(long bufferedFrameBytes) => BufferedFrameLimit > 0 && bufferedFrameBytes >= BufferedFrameLimit;

    /// <summary>Starts taking a command: <paramref name="prefix"/> holds its first <see cref="Count"/> arguments (offsets as recorded).</summary>
    internal void BeginTaking(in ReadOnlySequence<byte> prefix, long argumentsToTake)
    {
        var length = checked((int)prefix.Length);
        EnsureSpill(length);
        prefix.CopyTo(_spill);
        _spillLength = length;
        _argumentsToTake = argumentsToTake;
        _taking = true;
        _ownsArguments = true;
        TakenBytes = length;
    }

    /// <summary>A small argument, whole: appended to the spill array.</summary>
    internal void TakeArgument(in ReadOnlySequence<byte> body)
    {
        var length = (int)body.Length;
        EnsureSpill(checked(_spillLength + length));
        body.CopyTo(_spill.AsSpan(_spillLength));
        AddArgument(_spillLength, length);
        _spillLength += length;
        TakenBytes += length;
        _argumentsToTake--;
    }

    /// <summary>
    /// A large argument of <paramref name="length"/> bytes: one array of exactly that size, as Redis sizes its query
    /// buffer for a big argument. Uninitialized, so its pages are touched (and count in RSS) only as bytes arrive.
    /// </summary>
    internal void BeginLargeArgument(int length)
    {
        _largeStart = LargeArgumentHeadroom > 0 && Count > 0 ? LargeArgumentHeadroom + _args[Count - 1].Length : 0;
        var size = checked(_largeStart + length);
        _large = LargeArgumentArrays?.Invoke(size) ?? GC.AllocateUninitializedArray<byte>(size);
        _largeFilled = _largeStart;
        _largeTrailer = 2;
        TakenBytes += _large.Length;
    }

    /// <summary>
    /// The array of its own argument <paramref name="index"/> was received into (a large argument of a taken
    /// command), and where in it the argument starts. The caller may keep the array (the request only reads it until
    /// the next command); false for an argument read in place or from the spill array.
    /// </summary>
    public bool TryGetOwnArray(int index, out byte[] array, out int start)
    {
        if ((uint)index < (uint)Count && _args[index].Own is { } own)
        {
            // Kept arrays are never returned; past 64 arguments none is (there is no bit to say so).
            _keptArrays |= index < 64 ? 1UL << index : ulong.MaxValue;
            array = own;
            start = _args[index].Start;
            return true;
        }

        array = [];
        start = 0;
        return false;
    }

    /// <summary>Copies what the reader has of the large argument; true once it and the two bytes after it are in.</summary>
    internal bool FillLargeArgument(ref SequenceReader<byte> reader)
    {
        var large = _large!;
        while (_largeFilled < large.Length && !reader.End)
        {
            var span = reader.UnreadSpan;
            var take = Math.Min(span.Length, large.Length - _largeFilled);
            span[..take].CopyTo(large.AsSpan(_largeFilled));
            _largeFilled += take;
            reader.Advance(take);
        }

        if (_largeFilled == large.Length)
        {
            // As for any bulk, the two bytes after the body are skipped, not checked for CRLF.
            var skip = (int)Math.Min(_largeTrailer, reader.Remaining);
            reader.Advance(skip);
            _largeTrailer -= skip;
        }

        if (_largeFilled < large.Length || _largeTrailer > 0)
        {
            return false;
        }

        if (Count == _args.Length)
        {
            Array.Resize(ref _args, _args.Length * 2);
        }

        _args[Count++] = new ArgRange(_largeStart, large.Length - _largeStart, large);
        _large = null;
        _argumentsToTake--;
        return true;
    }

    /// <summary>Every argument is in: they are read from the spill array and the large arguments' own arrays.</summary>
    internal void CompleteTaking()
    {
        _array = _spill;
        _baseOffset = 0;
        _taking = false;
    }

    /// <summary>Lets go of a taken command's memory; a spill array past the kept scratch size goes with it.</summary>
    private void ReleaseTaken()
    {
        if (LargeArgumentReturn is { } give && _keptArrays != ulong.MaxValue)
        {
            for (var i = 0; i < Math.Min(Count, 64); i++)
            {
                if (_args[i].Own is { } own && (_keptArrays & (1UL << i)) == 0)
                {
                    give(own);
                }
            }
        }

        _keptArrays = 0;
        Array.Clear(_args, 0, Count);
        if (ReferenceEquals(_array, _spill))
        {
            _array = [];
        }

        if (_spill.Length > KeptScratchSize)
        {
            _spill = [];
        }

        _large = null;
        _largeFilled = 0;
        _largeTrailer = 0;
        _spillLength = 0;
        _argumentsToTake = 0;
        _taking = false;
        _ownsArguments = false;
        TakenBytes = 0;
    }

    private void EnsureSpill(int length)
    {
        if (_spill.Length >= length)
        {
            return;
        }

        var bigger = GC.AllocateUninitializedArray<byte>((int)Math.Min(Array.MaxLength, Math.Max(length, Math.Max(4096L, 2L * _spill.Length))));
        _spill.AsSpan(0, _spillLength).CopyTo(bigger);
        _spill = bigger;
    }
}
