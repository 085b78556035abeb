using PepperCache.Protocol;
using PepperCache.Server.Persistence;
using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.Persistence.AofTestSupport;

namespace PepperCache.Server.Tests.Persistence;

/// <summary>Reading damaged files: a torn tail loads up to the last whole record, a corrupt middle is refused with its offset.</summary>
public sealed class AofLoaderTests
{
    private static readonly byte[][] Records =
    [
        Record("SET", "a", "1"),
        Record("SET", "b", "2", "PXAT", "4102444800000"),
        Record("DEL", "a"),
        Record("SET", "c", "three"),
    ];

    [Fact]
    public async Task ATailCutAtAnyByteOfTheLastRecordLoadsEverythingBeforeIt()
    {
        var whole = Records.SelectMany(r => r).ToArray();
        var goodLength = whole.Length - Records[^1].Length;
        for (var cut = goodLength; cut < whole.Length; cut++)
        {
            var result = await ScanAsync(whole[..cut]);
            Assert.False(result.IsCorrupt, $"cut at {cut}: {result.Error}");
            Assert.Equal(goodLength, result.GoodLength);
            Assert.Equal(Records.Length - 1, result.Commands);
            Assert.Equal(cut > goodLength, result.HasTornTail);
        }

        var full = await ScanAsync(whole);
        Assert.Equal(Records.Length, full.Commands);
        Assert.False(full.HasTornTail);
    }

    [Theory]
    [InlineData(0, (byte)'x')] // not an array
    [InlineData(1, (byte)'?')] // bad multibulk length
    [InlineData(4, (byte)':')] // an integer where a bulk string belongs
    public async Task ACorruptRecordInTheMiddleIsReportedAtItsOffset(int byteInRecord, byte garbage)
    {
        var whole = Records.SelectMany(r => r).ToArray();
        var offset = Records[0].Length + Records[1].Length;
        whole[offset + byteInRecord] = garbage;
        var result = await ScanAsync(whole);
        Assert.True(result.IsCorrupt);
        Assert.Equal(offset, result.CorruptOffset);
        Assert.Equal(2, result.Commands);
    }

    [Fact]
    public async Task ANodeRefusesToStartOnACorruptFileAndAofFixTruncatesIt()
    {
        var dir = TempDirectory();
        try
        {
            var path = Path.Combine(dir, AofSettings.FileName);
            var whole = Records.SelectMany(r => r).ToArray();
            var offset = Records[0].Length;
            whole[offset] = (byte)'#';
            await File.WriteAllBytesAsync(path, whole, TestContext.Current.CancellationToken);

            // A real process: the refusal is an exit code and one line on stderr.
            await using (var refused = NodeProcess.Start(["--port", "0", "--admin-port", "0", "--dir", dir]))
            {
                Assert.Equal(1, await refused.WaitForExitAsync());
                var error = Assert.Single(refused.StandardError);
                Assert.Contains(path, error, StringComparison.Ordinal);
                Assert.Contains($"at byte offset {offset}", error, StringComparison.Ordinal);
            }

            await using (var fix = NodeProcess.Start(["--dir", dir, "--aof-fix"]))
            {
                Assert.Equal(0, await fix.WaitForExitAsync());
                Assert.Contains(fix.StandardOutput, line => line.Contains($"{whole.Length - offset} bytes removed", StringComparison.Ordinal));
            }

            Assert.Equal(offset, new FileInfo(path).Length);
            await using var fixedNode = Node(dir);
            await using var redis = await fixedNode.ConnectAsync();
            Assert.Equal("1", (string?)await redis.GetDatabase().StringGetAsync("a"));
        }
        finally
        {
            DeleteDirectory(dir);
        }
    }

    [Fact]
    public async Task ANodeLoadsATornFileAndTruncatesTheTail()
    {
        var dir = TempDirectory();
        try
        {
            var path = Path.Combine(dir, AofSettings.FileName);
            var whole = Records.SelectMany(r => r).ToArray();
            var goodLength = whole.Length - Records[^1].Length;
            await File.WriteAllBytesAsync(path, whole[..(goodLength + 5)], TestContext.Current.CancellationToken);

            await using (var node = Node(dir))
            {
                await using var redis = await node.ConnectAsync();
                var db = redis.GetDatabase();
                Assert.Null((string?)await db.StringGetAsync("a"));
                Assert.Equal("2", (string?)await db.StringGetAsync("b"));
                Assert.Null((string?)await db.StringGetAsync("c"));
                Assert.Equal(goodLength, new FileInfo(path).Length);

                // Appending goes on from the last whole record.
                await db.StringSetAsync("d", "4");
            }

            await using var again = Node(dir);
            await using var redis2 = await again.ConnectAsync();
            Assert.Equal("4", (string?)await redis2.GetDatabase().StringGetAsync("d"));
        }
        finally
        {
            DeleteDirectory(dir);
        }
    }

    private static async Task<AofScanResult> ScanAsync(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        using var request = new RespRequest();
        return await AofLoader.ReadAsync(stream, request, _ => null);
    }
}
