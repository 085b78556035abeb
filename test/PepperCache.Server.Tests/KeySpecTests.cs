using System.Buffers;
using System.Text;
using PepperCache.Protocol;
using PepperCache.Server.Resp;
using PepperCache.Server.Tests.Infrastructure;
using static PepperCache.Server.Tests.Infrastructure.RespReplyReader;

namespace PepperCache.Server.Tests;

/// <summary>
/// Key specs resolved against real Redis: each case declares a command's specs as Redis 7.0 does, finds the keys of
/// an argument list with <see cref="KeyPositions"/>, and asks redis-server's <c>COMMAND GETKEYS</c> for the same
/// arguments. Covers the layouts the data types need before their commands exist: a count of keys (ZUNIONSTORE,
/// LMPOP, SINTERCARD), a keyword (GEORADIUS ... STORE), every other argument (MSET), and arguments that contradict the
/// spec, where both find no keys.
/// </summary>
public sealed class KeySpecTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static readonly Dictionary<string, KeySpec[]> Specs = new(StringComparer.OrdinalIgnoreCase)
    {
        ["zunionstore"] = [KeySpec.Range(1, 0, 1, KeyAccess.Write), KeySpec.KeyNum(2, 0, 1, KeyAccess.Read)],
        ["lmpop"] = [KeySpec.KeyNum(1, 0, 1, KeyAccess.ReadWrite)],
        ["sintercard"] = [KeySpec.KeyNum(1, 0, 1, KeyAccess.Read)],
        ["blmpop"] = [KeySpec.KeyNum(2, 0, 1, KeyAccess.ReadWrite)],
        ["georadius"] =
        [
            KeySpec.Range(1, 0, 1, KeyAccess.Read),
            KeySpec.AfterKeyword("STORE", 6, 0, KeyAccess.Write),
            KeySpec.AfterKeyword("STOREDIST", 6, 0, KeyAccess.Write),
        ],
        ["mset"] = [KeySpec.Range(1, -1, 2, KeyAccess.Write)],
        ["blpop"] = [KeySpec.Range(1, -2, 1, KeyAccess.ReadWrite)],
        ["rename"] = [KeySpec.Range(1, 0, 1, KeyAccess.ReadWrite), KeySpec.Range(2, 0, 1, KeyAccess.Write)],
    };

    public static TheoryData<string> Cases =>
    [
        "ZUNIONSTORE dest 2 a b",
        "ZUNIONSTORE dest 2 a b WEIGHTS 1 2 AGGREGATE MAX",
        "ZUNIONSTORE dest 1 a b",
        "ZUNIONSTORE dest 3 a b",
        "ZUNIONSTORE dest 0 a",
        "ZUNIONSTORE dest x a",
        "ZUNIONSTORE dest -1 a",
        "LMPOP 2 a b LEFT",
        "LMPOP 1 a LEFT COUNT 2",
        "LMPOP 5 a b LEFT",
        "SINTERCARD 3 a b c LIMIT 1",
        "BLMPOP 0 2 a b RIGHT",
        "GEORADIUS src 0 0 1 km",
        "GEORADIUS src 0 0 1 km STORE dst",
        "GEORADIUS src 0 0 1 km store dst STOREDIST other",
        "GEORADIUS src 0 0 1 km ASC STORE",
        "MSET a 1 b 2 c 3",
        "BLPOP a b c 0",
        "RENAME a b",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task KeysAreThoseRedisFinds(string line)
    {
        var arguments = line.Split(' ');
        var definition = new CommandDefinition(arguments[0].ToLowerInvariant(), -2, CommandFlags.Write, 1, 1, 1, _ => { }, "generic", "test")
        {
            KeySpecs = Specs[arguments[0]],
        };

        using var request = Parse(arguments);
        var ours = new List<string>();
        foreach (var (index, _) in definition.Keys(new ArgumentView(request, 0)))
        {
            ours.Add(request.GetString(index));
        }

        await using var client = await RawRespClient.ConnectAsync(redis.RedisEndPoint);
        var reply = await client.CommandAsync(["COMMAND", "GETKEYS", .. arguments]);
        if (reply is List<object?> keys)
        {
            Assert.Equal(keys.Cast<string>(), ours);
        }
        else
        {
            // Redis: "Invalid arguments specified for command" (or the arity error for BLMPOP-like counts): no keys.
            Assert.Empty(ours);
        }
    }

    [Fact]
    public void KeyPositionsAllocateNothing()
    {
        var definition = new CommandDefinition("zunionstore", -4, CommandFlags.Write, 1, 1, 1, _ => { }, "sorted-set", "test")
        {
            KeySpecs = Specs["zunionstore"],
        };
        using var request = Parse(["ZUNIONSTORE", "d", "3", "a", "b", "c", "WEIGHTS", "1", "2", "3"]);
        var view = new ArgumentView(request, 0);
        Count(definition, view);
        // The fewest bytes of up to three runs: an allocation per call shows in every run, the runtime's own (a method
        // promoted by tiered compilation mid-call on a loaded machine) in one.
        var allocated = long.MaxValue;
        var found = 0;
        for (var run = 0; run < 3 && allocated > 0; run++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            found = Count(definition, view);
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, allocated);
        Assert.Equal(4, found);
    }

    private static int Count(CommandDefinition definition, ArgumentView view)
    {
        var count = 0;
        foreach (var _ in definition.Keys(view))
        {
            count++;
        }

        return count;
    }

    private static RespRequest Parse(string[] arguments)
    {
        var request = new RespRequest();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(Encode(arguments))));
        Assert.True(RespParser.TryReadCommand(ref reader, request));
        return request;
    }
}
