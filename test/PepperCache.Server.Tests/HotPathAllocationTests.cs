using System.Buffers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PepperCache.Protocol;
using PepperCache.Server.Resp;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// The hot commands run through the real dispatcher, in-process on the test thread, so the bytes they allocate can
/// be counted: nothing per call beyond the entries they store.
/// </summary>
public sealed class HotPathAllocationTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    private const int Iterations = 2_000;

    // Room for lazy one-time allocations on this thread (a shard lock's wait objects the first times another thread
    // contends for it: MSET takes two shard locks, and on a loaded 2-core CI machine that cost up to 7 KB once);
    // any per-call allocation, at least 8 bytes, would cost 16 KB over the run, still above this.
    private const int OneTimeSlack = 8192;

    // Entry layout: 16-byte header (expiry, key length, type/encoding/access bits) + key + value, plus the array's object header and length (24 bytes on x64).
    private const int ArrayOverhead = 24 + 16;

    public static TheoryData<string, int> Commands => new()
    {
        // command (space-separated), bytes each call may allocate beyond zero (the stored entries)
        { "GET alloc:present", 0 },
        { "GET alloc:missing", 0 },
        { "MGET alloc:present alloc:missing alloc:present", 0 },
        { "EXISTS alloc:present alloc:missing", 0 },
        { "DEL alloc:missing alloc:missing2", 0 },
        { "SET alloc:set value", EntrySize("alloc:set", "value") },
        { "SET alloc:set value EX 100 NX", 0 },
        { "SET alloc:set value PX 100000 XX", EntrySize("alloc:set", "value") },
        { "MSET alloc:m1 v1 alloc:m2 v2", 2 * EntrySize("alloc:m1", "v1") },
        { "INCR alloc:counter", EntrySize("alloc:counter", "-9223372036854775808") },
        { "TTL alloc:present", 0 },
        // Changed in place once the first call has made the value spacious (Redis's sds with room): no new value.
        { "SETRANGE alloc:range 3 abc", 0 },
        { "APPEND alloc:log x", 8 },
        { "BITFIELD alloc:bits INCRBY u8 8 1", 0 },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void HotCommandAllocatesNothingBeyondStoredEntries(string command, int allowedPerCall)
    {
        var server = node.App.Services.GetRequiredService<ServerState>();
        server.Store.Set("alloc:present"u8, "some value"u8);
        server.Store.Set("alloc:set"u8, "value"u8);
        var frame = RespTranscript.EncodeCommand(command.Split(' ').Select(Encoding.UTF8.GetBytes).ToList());
        using var request = new RespRequest(server.Limits);
        var output = new ArrayBufferWriter<byte>(4096);
        var context = new CommandContext(server, new ClientSession(-1, null, null, server.Store.Now), request) { Output = output };

        Run(server, context, frame, output, Iterations);
        var allowed = ((long)allowedPerCall * Iterations) + OneTimeSlack;
        // The fewest bytes of up to three runs: a per-call allocation shows in every run, a one-time growth of a shared
        // buffer in one. The AOF's buffer grows from 512 KB to 1 MB (rented, on the appending thread) when its writer
        // falls behind, as on a loaded CI machine: MSET once counted 1,048,600 bytes beyond its entries that way.
        var allocated = long.MaxValue;
        for (var run = 0; run < 3 && allocated > allowed; run++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            Run(server, context, frame, output, Iterations);
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(output.WrittenCount > 0 && output.WrittenSpan[0] != (byte)'-', Encoding.UTF8.GetString(output.WrittenSpan));
        Assert.InRange(allocated, 0, allowed);
    }

    /// <summary>
    /// GETBIT, STRLEN and a short GETRANGE read under the shard lock, so they do not pin the value: a SETRANGE or SETBIT after each still
    /// writes in place, allocating nothing (a GET between them would make each write copy the value).
    /// </summary>
    [Theory]
    [InlineData("SETRANGE alloc:pin 100 abc", "STRLEN alloc:pin")]
    [InlineData("SETRANGE alloc:pin 100 abc", "GETRANGE alloc:pin 90 -1")]
    [InlineData("SETBIT alloc:pin 5 1", "GETBIT alloc:pin 5")]
    [InlineData("SETBIT alloc:pin 5 0", "GETBIT alloc:pin 6")]
    public void ReadsUnderTheLockLeaveTheValueWritableInPlace(string write, string read)
    {
        var server = node.App.Services.GetRequiredService<ServerState>();
        server.Store.Set("alloc:pin"u8, new byte[4096]);
        var frames = new[] { write, read }
            .Select(command => RespTranscript.EncodeCommand(command.Split(' ').Select(Encoding.UTF8.GetBytes).ToList()))
            .ToArray();
        using var request = new RespRequest(server.Limits);
        var output = new ArrayBufferWriter<byte>(4096);
        var context = new CommandContext(server, new ClientSession(-1, null, null, server.Store.Now), request) { Output = output };

        for (var i = 0; i < 20; i++)
        {
            Run(server, context, frames[i & 1], output, 1);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Iterations; i++)
        {
            Run(server, context, frames[i & 1], output, 1);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.InRange(allocated, 0, OneTimeSlack);
    }

    /// <summary>Heap bytes of one stored entry: objects are 8-byte aligned.</summary>
    private static int EntrySize(string key, string value) => (ArrayOverhead + key.Length + value.Length + 7) & ~7;

    private static void Run(ServerState server, CommandContext context, byte[] frame, ArrayBufferWriter<byte> output, int count)
    {
        for (var i = 0; i < count; i++)
        {
            output.ResetWrittenCount();
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(frame));
            if (!RespParser.TryReadCommand(ref reader, context.Request))
            {
                throw new InvalidOperationException("frame did not parse");
            }

            server.Dispatcher.Execute(context);
        }
    }
}
