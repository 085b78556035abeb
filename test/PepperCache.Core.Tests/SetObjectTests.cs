using System.Buffers;
using System.Text;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using static PepperCache.Core.Tests.TestBytes;

namespace PepperCache.Core.Tests;

public class SetObjectTests
{
    private readonly EncodingSettings _settings = new();

    [Fact]
    public void AddRemoveContainsAndCount()
    {
        var set = new SetObject();
        Assert.True(set.Add("5"u8, _settings));
        Assert.False(set.Add("5"u8, _settings));
        Assert.True(set.Add("-3"u8, _settings));
        Assert.Equal(2, set.Count);
        Assert.True(set.Contains("5"u8));
        Assert.False(set.Contains("05"u8));
        Assert.False(set.Contains("x"u8));
        Assert.True(set.Remove("5"u8));
        Assert.False(set.Remove("5"u8));
        Assert.False(set.Remove("x"u8));
        Assert.Equal(1, set.Count);
        Assert.True(set.IsIntset);
    }

    [Fact]
    public void AnIntsetIsSortedAndConvertsOnAWordOrOneMemberTooMany()
    {
        var settings = new EncodingSettings { SetMaxIntsetEntries = 4 };
        var set = new SetObject();
        foreach (var member in new[] { "9", "-1", "3", "9223372036854775807" })
        {
            set.Add(B(member), settings);
        }

        Assert.True(set.IsIntset);
        Assert.Equal(["-1", "3", "9", "9223372036854775807"], Members(set));
        set.Add("4"u8, settings);
        Assert.False(set.IsIntset);
        Assert.Equal("hashtable", Encoding.ASCII.GetString(set.EncodingName));
        Assert.Equal(["-1", "3", "4", "9", "9223372036854775807"], Members(set).Order());
        Assert.True(set.Contains("4"u8));

        var words = new SetObject();
        words.Add("1"u8, _settings);
        foreach (var notAnInteger in new[] { "01", "+1", "-0", " 1", "1.0", "", "9223372036854775808" })
        {
            var one = new SetObject();
            one.Add(B(notAnInteger), _settings);
            Assert.False(one.IsIntset, notAnInteger);
        }

        words.Add("w"u8, _settings);
        Assert.False(words.IsIntset);
        Assert.True(words.Contains("1"u8));
    }

    [Fact]
    public void CompactingGoesBackToAnIntsetOnlyWhenEveryMemberAllows()
    {
        var set = new SetObject();
        set.Add("x"u8, _settings);
        set.Add("2"u8, _settings);
        set.Add("1"u8, _settings);
        set.CompactIfIntegers(_settings);
        Assert.False(set.IsIntset);
        set.Remove("x"u8);
        set.CompactIfIntegers(_settings);
        Assert.True(set.IsIntset);
        Assert.Equal(["1", "2"], Members(set));
        Assert.Equal(SetObject.ObjectBytes + Entry.ArraySize(4, sizeof(long)), set.HeapSize);
    }

    [Fact]
    public void ScanOfAHashtableReturnsEveryMemberPresentThroughoutWhateverIsWritten()
    {
        var set = new SetObject();
        for (var i = 0; i < 2000; i++)
        {
            set.Add(B($"m{i}"), _settings);
        }

        var seen = new HashSet<string>();
        var found = new List<SetMember>();
        long cursor = 0;
        var calls = 0;
        do
        {
            found.Clear();
            cursor = set.Scan(cursor, 10, default, found);
            seen.UnionWith(found.Select(m => Encoding.ASCII.GetString(m.ToArray())));
            // Writes between calls: members come and go, the table grows.
            set.Add(B($"new{calls}"), _settings);
            set.Remove(B($"m{(calls * 7) % 2000 / 2 * 2 + 1}"));
            calls++;
        }
        while (cursor != 0 && calls < 10_000);

        Assert.Equal(0, cursor);
        for (var i = 0; i < 2000; i += 2)
        {
            Assert.Contains($"m{i}", seen);
        }
    }

    [Fact]
    public void RandomMembersAreMembersAndDistinctWhenAskedSo()
    {
        var random = new Random(7);
        foreach (var words in new[] { false, true })
        {
            var set = new SetObject();
            for (var i = 0; i < 100; i++)
            {
                set.Add(B(words ? $"w{i}" : $"{i}"), _settings);
            }

            set.Remove(B(words ? "w5" : "5"));
            foreach (var count in new[] { 1, 10, 50, 98 })
            {
                var into = new List<SetMember>();
                set.RandomDistinctMembers(count, random, into);
                var texts = into.Select(m => Encoding.ASCII.GetString(m.ToArray())).ToList();
                Assert.Equal(count, texts.Distinct().Count());
                Assert.All(texts, t => Assert.True(set.Contains(B(t))));
            }

            for (var i = 0; i < 100; i++)
            {
                Assert.True(set.Contains(set.RandomMember(random)));
            }
        }
    }

    [Fact]
    public void HeapSizeOfANewSetIsWhatItAllocated()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var set = new SetObject();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(allocated, set.HeapSize);
    }

    [Fact]
    public void HeapSizeFollowsEveryChange()
    {
        var set = new SetObject();
        set.Add("word"u8, _settings);
        var one = set.HeapSize;
        set.Add(new byte[40], _settings);
        Assert.Equal(one + Entry.ArraySize(40, 1), set.HeapSize);
        set.Remove(new byte[40]);
        Assert.Equal(one, set.HeapSize);
    }

    [Fact]
    public void ACloneIsIndependentOfLaterWrites()
    {
        var set = new SetObject();
        set.Add("1"u8, _settings);
        var intClone = (SetObject)set.Clone();
        set.Add("a"u8, _settings);
        var tableClone = (SetObject)set.Clone();
        set.Remove("1"u8);
        Assert.Equal(["1"], Members(intClone));
        Assert.Equal(["1", "a"], Members(tableClone).Order());
        Assert.Equal(["a"], Members(set));
    }

    [Fact]
    public void RestoreCommandsComeInChunksOf64()
    {
        var set = new SetObject();
        for (var i = 0; i < 130; i++)
        {
            set.Add(B($"{i}"), _settings);
        }

        var output = new ArrayBufferWriter<byte>();
        set.WriteRestoreCommands("k"u8, output);
        var text = Encoding.ASCII.GetString(output.WrittenSpan);
        Assert.Equal(3, text.Split("$4\r\nSADD\r\n").Length - 1);
        Assert.StartsWith("*66\r\n$4\r\nSADD\r\n$1\r\nk\r\n$1\r\n0\r\n", text);
        Assert.Contains("*4\r\n$4\r\nSADD\r\n$1\r\nk\r\n$3\r\n128\r\n$3\r\n129\r\n", text);
    }

    [Fact]
    public void PayloadBytesAreFrozenAndReadBackWithTheTargetsEncoding()
    {
        var set = new SetObject();
        set.Add("12"u8, _settings);
        set.Add("-1"u8, _settings);
        Assert.Equal([0x01, 0x02, 0x02, (byte)'-', (byte)'1', 0x02, (byte)'1', (byte)'2'], StoreObjectFormat.ToArray(set));

        set.Add(new byte[200], _settings);
        var payload = StoreObjectFormat.ToArray(set);
        Assert.True(StoreObjectFormat.TryDeserialize(DataType.Set, payload, _settings, out var copy));
        Assert.Equal(Members(set).Order(), Members((SetObject)copy).Order());

        var ints = new SetObject();
        for (var i = 0; i < 10; i++)
        {
            ints.Add(B($"{i}"), _settings);
        }

        payload = StoreObjectFormat.ToArray(ints);
        Assert.True(StoreObjectFormat.TryDeserialize(DataType.Set, payload, _settings, out copy));
        Assert.True(((SetObject)copy).IsIntset);
        Assert.True(StoreObjectFormat.TryDeserialize(DataType.Set, payload, new EncodingSettings { SetMaxIntsetEntries = 5 }, out copy));
        Assert.False(((SetObject)copy).IsIntset);

        Assert.False(StoreObjectFormat.TryDeserialize(DataType.Set, payload.AsSpan(0, payload.Length - 1), _settings, out _));
        Assert.False(StoreObjectFormat.TryDeserialize(DataType.Set, [0x01, 0x02, 0x01, (byte)'a', 0x01, (byte)'a'], _settings, out _));
        Assert.False(StoreObjectFormat.TryDeserialize(DataType.Set, [0x02, 0x00], _settings, out _));
    }

    internal static List<string> Members(SetObject set)
    {
        var members = new List<string>();
        foreach (var member in set)
        {
            members.Add(Encoding.Latin1.GetString(member.ToArray()));
        }

        return members;
    }
}
