using System.Buffers;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using static PepperCache.Core.Tests.TestBytes;

namespace PepperCache.Core.Tests;

/// <summary>
/// A large collection cut into pieces for slot migration: the payload cursor walks exactly what Serialize writes, and
/// pieces added in order to an empty collection rebuild the same one (list order, exact scores, every type).
/// </summary>
public class StoreObjectPiecesTests
{
    private readonly EncodingSettings _settings = new();

    public static TheoryData<DataType> Types => [DataType.Hash, DataType.List, DataType.Set, DataType.SortedSet];

    private StoreObject Build(DataType type, int count)
    {
        var value = StoreObjectFormat.CreateEmpty(type, count, _settings)!;
        for (var i = 0; i < count; i++)
        {
            switch (value)
            {
                case HashObject hash:
                    hash.Set(B($"f{i}"), B(new string('v', i % 90)), _settings);
                    break;
                case ListObject list:
                    list.Push(B($"e{i % 7}"), head: false);
                    break;
                case SetObject set:
                    // Integers and text, so the set leaves its intset.
                    set.Add(i % 3 == 0 ? B($"m{i}") : B((i * 7).ToString(System.Globalization.CultureInfo.InvariantCulture)), _settings);
                    break;
                case SortedSetObject sortedSet:
                    sortedSet.Set(B($"z{i}"), i == 5 ? -0.0 : (i % 11) * 0.1, _settings);
                    break;
            }
        }

        return value;
    }

    /// <summary>Payloads of <paramref name="perPiece"/> elements each, cut from the cursor as the mover cuts them.</summary>
    private static List<byte[]> Pieces(StoreObject value, int perPiece)
    {
        var pieces = new List<byte[]>();
        var cursor = value.OpenPayloadCursor();
        var elements = new ArrayBufferWriter<byte>();
        var count = 0;
        var more = cursor.MoveNext();
        while (more)
        {
            cursor.Write(elements);
            count++;
            more = cursor.MoveNext();
            if (count == perPiece || !more)
            {
                var piece = new ArrayBufferWriter<byte>();
                StoreObjectFormat.WriteHeader(piece, count);
                piece.Write(elements.WrittenSpan);
                pieces.Add(piece.WrittenSpan.ToArray());
                elements.ResetWrittenCount();
                count = 0;
            }
        }

        return pieces;
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void TheCursorWalksWhatSerializeWrites(DataType type)
    {
        var value = Build(type, 700);
        var cursor = value.OpenPayloadCursor();
        var walked = new ArrayBufferWriter<byte>();
        StoreObjectFormat.WriteHeader(walked, value.Count);
        long sizes = 0;
        while (cursor.MoveNext())
        {
            sizes += cursor.Size;
            cursor.Write(walked);
        }

        Assert.Equal(StoreObjectFormat.ToArray(value), walked.WrittenSpan.ToArray());
        Assert.Equal(walked.WrittenCount - StoreObjectFormat.HeaderSize(value.Count), sizes);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void PiecesAddedInOrderRebuildTheSameCollection(DataType type)
    {
        var value = Build(type, 2_500);
        var pieces = Pieces(value, 1_000);
        Assert.Equal(3, pieces.Count);
        var rebuilt = StoreObjectFormat.CreateEmpty(type, value.Count, _settings)!;
        foreach (var piece in pieces)
        {
            Assert.True(rebuilt.TryAppendPayload(piece, _settings));
        }

        Assert.Equal(value.Count, rebuilt.Count);
        Assert.Equal(StoreObjectFormat.ToArray(value), StoreObjectFormat.ToArray(rebuilt));
        Assert.Equal(value.EncodingName.ToArray(), rebuilt.EncodingName.ToArray());
    }

    [Fact]
    public void ASortedSetRebuiltFromPiecesKeepsMinusZero()
    {
        var value = (SortedSetObject)Build(DataType.SortedSet, 300);
        var rebuilt = (SortedSetObject)StoreObjectFormat.CreateEmpty(DataType.SortedSet, 300, _settings)!;
        foreach (var piece in Pieces(value, 7))
        {
            Assert.True(rebuilt.TryAppendPayload(piece, _settings));
        }

        Assert.True(rebuilt.TryGetScore(B("z5"), out var score));
        Assert.True(double.IsNegative(score));
        Assert.Equal(0.0, score);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void APieceThatIsCutShortOrHasTrailingBytesIsRefused(DataType type)
    {
        var piece = Pieces(Build(type, 10), 10)[0];
        Assert.False(StoreObjectFormat.CreateEmpty(type, 10, _settings)!.TryAppendPayload(piece.AsSpan(0, piece.Length - 1), _settings));
        Assert.False(StoreObjectFormat.CreateEmpty(type, 10, _settings)!.TryAppendPayload([.. piece, 0], _settings));
        Assert.False(StoreObjectFormat.CreateEmpty(type, 10, _settings)!.TryAppendPayload([2, .. piece[1..]], _settings));
    }

    [Theory]
    [InlineData(DataType.Hash)]
    [InlineData(DataType.Set)]
    [InlineData(DataType.SortedSet)]
    public void APieceRepeatingAnElementAlreadyAddedIsRefused(DataType type)
    {
        var piece = Pieces(Build(type, 10), 10)[0];
        var rebuilt = StoreObjectFormat.CreateEmpty(type, 20, _settings)!;
        Assert.True(rebuilt.TryAppendPayload(piece, _settings));
        Assert.False(rebuilt.TryAppendPayload(piece, _settings));
    }

    [Fact]
    public void OnlyCollectionTypesHaveAnEmptyCollection()
    {
        Assert.Null(StoreObjectFormat.CreateEmpty(DataType.String, 1, _settings));
        Assert.Null(StoreObjectFormat.CreateEmpty(DataType.Stream, 1, _settings));
    }
}
