using System.Buffers;
using System.Text;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;

namespace PepperCache.Core.Tests;

/// <summary>The list's ring (ends, wrap-around, middle edits) against a plain List, and its frozen payload and restore commands.</summary>
public class ListObjectTests
{
    private static readonly EncodingSettings Settings = new();

    [Fact]
    public void RandomEditsMatchAReferenceList()
    {
        var random = new Random(7);
        var list = new ListObject();
        var reference = new List<string>();
        for (var step = 0; step < 20_000; step++)
        {
            var text = $"e{step}";
            switch (random.Next(8))
            {
                case 0 or 1:
                    list.Push(B(text), head: true);
                    reference.Insert(0, text);
                    break;
                case 2 or 3:
                    list.Push(B(text), head: false);
                    reference.Add(text);
                    break;
                case 4 when reference.Count > 0:
                    Assert.Equal(reference[0], S(list.Pop(head: true)));
                    reference.RemoveAt(0);
                    break;
                case 5 when reference.Count > 0:
                    Assert.Equal(reference[^1], S(list.Pop(head: false)));
                    reference.RemoveAt(reference.Count - 1);
                    break;
                case 6:
                    var at = random.Next(reference.Count + 1);
                    list.Insert(at, B(text));
                    reference.Insert(at, text);
                    break;
                case 7 when reference.Count > 0:
                    var victim = reference[random.Next(reference.Count)];
                    var fromTail = random.Next(2) == 0;
                    Assert.Equal(reference.Count(e => e == victim), list.Remove(B(victim), 0, fromTail));
                    reference.RemoveAll(e => e == victim);
                    break;
            }

            Assert.Equal(reference.Count, list.Count);
        }

        Assert.Equal(reference, Elements(list));
        list.Trim(3, reference.Count - 4);
        Assert.Equal(reference.Skip(3).Take(reference.Count - 6), Elements(list));
    }

    [Fact]
    public void RemoveWithALimitTakesTheFirstFromTheChosenEnd()
    {
        var list = From("a", "x", "b", "x", "c", "x");
        Assert.Equal(2, list.Remove(B("x"), 2, fromTail: true));
        Assert.Equal(["a", "x", "b", "c"], Elements(list));
        Assert.Equal(1, list.Remove(B("x"), 5, fromTail: false));
        Assert.Equal(["a", "b", "c"], Elements(list));
    }

    [Fact]
    public void ListPayloadBytesAreFrozen()
    {
        var list = From("a", "", "bb");
        list.Push(new byte[200], head: false);
        var expected = new List<byte> { 0x01, 0x04, 0x01, (byte)'a', 0x00, 0x02, (byte)'b', (byte)'b', 0xC8, 0x01 };
        expected.AddRange(new byte[200]);
        Assert.Equal(expected, StoreObjectFormat.ToArray(list));
    }

    [Fact]
    public void AListPayloadReadsBackInOrderAndBadOnesAreRefused()
    {
        var list = new ListObject();
        for (var i = 0; i < 100; i++)
        {
            list.Push(B($"e{i}\0"), head: i % 2 == 0);
        }

        var payload = StoreObjectFormat.ToArray(list);
        Assert.True(StoreObjectFormat.TryDeserialize(DataType.List, payload, Settings, out var copy));
        Assert.Equal(Elements(list), Elements(Assert.IsType<ListObject>(copy)));
        for (var cut = 0; cut < payload.Length; cut++)
        {
            Assert.False(StoreObjectFormat.TryDeserialize(DataType.List, payload.AsSpan(0, cut), Settings, out _));
        }

        Assert.False(StoreObjectFormat.TryDeserialize(DataType.List, [.. payload, 0], Settings, out _));
        Assert.False(StoreObjectFormat.TryDeserialize(DataType.List, [2, .. payload.AsSpan(1)], Settings, out _));
        Assert.False(StoreObjectFormat.TryDeserialize(DataType.List, [1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], Settings, out _));
    }

    [Fact]
    public void RestoreCommandsAreRpushesOfAtMostSixtyFourElementsHeadFirst()
    {
        var list = new ListObject();
        for (var i = 0; i < 130; i++)
        {
            list.Push(B($"e{i}"), head: false);
        }

        var output = new ArrayBufferWriter<byte>();
        list.WriteRestoreCommands("k"u8, output);
        var text = S(output.WrittenSpan.ToArray());
        Assert.Equal(3, text.Split("$5\r\nRPUSH\r\n$1\r\nk\r\n").Length - 1);
        Assert.StartsWith("*66\r\n$5\r\nRPUSH\r\n$1\r\nk\r\n$2\r\ne0\r\n", text, StringComparison.Ordinal);
        Assert.Contains("*66\r\n$5\r\nRPUSH\r\n$1\r\nk\r\n$3\r\ne64\r\n", text, StringComparison.Ordinal);
        Assert.EndsWith("*4\r\n$5\r\nRPUSH\r\n$1\r\nk\r\n$4\r\ne128\r\n$4\r\ne129\r\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ACloneIsIndependentAndTheVersionMovesWithEveryChange()
    {
        var list = From("a", "b");
        var version = list.Version;
        var copy = (ListObject)list.Clone();
        list.Set(0, B("z"));
        Assert.NotEqual(version, list.Version);
        Assert.Equal(["a", "b"], Elements(copy));
        Assert.Equal("quicklist", S(list.EncodingName.ToArray()));
    }

    private static ListObject From(params string[] elements)
    {
        var list = new ListObject();
        foreach (var element in elements)
        {
            list.Push(B(element), head: false);
        }

        return list;
    }

    private static List<string> Elements(ListObject list)
    {
        var elements = new List<string>();
        for (var i = 0; i < list.Count; i++)
        {
            elements.Add(S(list[i]));
        }

        return elements;
    }

    private static byte[] B(string text) => Encoding.Latin1.GetBytes(text);

    private static string S(byte[] bytes) => Encoding.Latin1.GetString(bytes);
}
