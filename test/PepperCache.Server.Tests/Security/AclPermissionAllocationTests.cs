using System.Buffers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PepperCache.Protocol;
using PepperCache.Server.Resp;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Security;

/// <summary>
/// A connection whose user is restricted (a commands bitmap without +@all, key patterns for reads and writes) runs
/// the hot commands through the real dispatcher allocating nothing more than without ACL: the permission check is a
/// bit test and, for the keys, a glob match over the patterns.
/// </summary>
public sealed class AclPermissionAllocationTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    private const int Iterations = 2_000;

    // As HotPathAllocationTests: room for one-time allocations, below what 8 bytes per call would cost.
    private const int OneTimeSlack = 8192;

    public static TheoryData<string, int> Commands => new()
    {
        { "GET acl:present", 0 },
        { "GET acl:missing", 0 },
        { "MGET acl:present acl:missing acl:present", 0 },
        { "EXISTS acl:present acl:missing", 0 },
        { "SET acl:set value EX 100 NX", 0 },
        { "SET acl:present v NX GET", 0 },
        { "DEL acl:missing acl:missing2", 0 },
        { "TTL acl:present", 0 },
        { "PING", 0 },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void APermittedCommandOfARestrictedUserAllocatesNothingForTheCheck(string command, int allowedPerCall)
    {
        var server = node.App.Services.GetRequiredService<ServerState>();
        Assert.Null(server.Acl.SetUser("alloc", ["reset", "on", "nopass", "-@all", "+@string", "+@keyspace", "+ping", "%R~other:*", "%W~nope:*", "~acl:*"]));
        var user = server.Acl.Find("alloc")!;
        Assert.False(user.Rules.PermitsAll);
        server.Store.Set("acl:present"u8, "some value"u8);
        var frame = RespTranscript.EncodeCommand(command.Split(' ').Select(Encoding.UTF8.GetBytes).ToList());
        using var request = new RespRequest(server.Limits);
        var output = new ArrayBufferWriter<byte>(4096);
        var session = new ClientSession(-1, null, null, server.Store.Now) { User = user, Authenticated = true };
        var context = new CommandContext(server, session, request) { Output = output };

        Run(server, context, frame, output, Iterations);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(server, context, frame, output, Iterations);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(output.WrittenCount > 0 && output.WrittenSpan[0] != (byte)'-', Encoding.UTF8.GetString(output.WrittenSpan));
        Assert.InRange(allocated, 0, ((long)allowedPerCall * Iterations) + OneTimeSlack);
    }

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
