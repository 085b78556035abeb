using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Security;

/// <summary>
/// ACL SETUSER, GETUSER, LIST, USERS, DELUSER, WHOAMI, CAT, DRYRUN and their errors, AUTH, HELLO AUTH, NOAUTH and
/// NOPERM: scripts replayed against a real redis-server 7.0.15 and a node, replies compared byte for byte.
/// </summary>
/// <remarks>
/// Redis describes a user's single commands (<c>-@all +get +set</c>) in its command hash table's order, which
/// changes from one process to the next; the scripts describe at most one single command (or one command and its
/// subcommands) at a time, so the bytes are comparable. Selectors (<c>(...)</c>) are not supported by PepperCache and
/// not played. Every test starts from a fresh server's users on both sides.
/// </remarks>
public sealed class AclParityTests(NodeFixture node, RedisServerProcess redis)
    : IClassFixture<NodeFixture>, IClassFixture<RedisServerProcess>, IAsyncLifetime
{
    public async ValueTask InitializeAsync()
    {
        await AclTestSupport.ResetAsync(redis.EndPoint);
        await AclTestSupport.ResetAsync(node.App.RespEndPoint);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task SetUserRulesAreDescribedAsRedisDescribesThem()
    {
        const string hash = "f64551fcd6f07823cb87971cfb91446425da18286b3ab1ef935e0cbd7a69f68a";
        await RedisParity.AssertSameRepliesAsync(redis.EndPoint, node.App.RespEndPoint, $"""
            ACL LIST
            ACL GETUSER default
            ACL SETUSER alice
            ACL LIST
            ACL GETUSER alice
            ACL SETUSER alice on >p1 ~foo* %R~bar %W~baz &chan +@string -set
            ACL LIST
            ACL GETUSER alice
            ACL SETUSER alice %R~baz %W~foo* %W~bar
            ACL GETUSER alice
            ACL SETUSER alice +get
            ACL GETUSER alice
            ACL SETUSER alice -@string
            ACL GETUSER alice
            ACL SETUSER alice +config
            ACL GETUSER alice
            ACL SETUSER alice -config|get
            ACL GETUSER alice
            ACL SETUSER alice -config +config|get
            ACL GETUSER alice
            ACL SETUSER alice -config +select|0 +select|1 +SELECT|1
            ACL GETUSER alice
            ACL SETUSER alice -select
            ACL GETUSER alice
            ACL SETUSER alice ~*
            ACL LIST
            ACL SETUSER alice reset
            ACL LIST
            ACL SETUSER alice nopass >a >b >a
            ACL LIST
            ACL SETUSER alice <a
            ACL GETUSER alice
            ACL SETUSER alice resetpass #{hash}
            ACL GETUSER alice
            ACL SETUSER alice !{hash}
            ACL GETUSER alice
            ACL SETUSER alice allcommands
            ACL GETUSER alice
            ACL SETUSER alice nocommands +@all -@dangerous
            ACL GETUSER alice
            ACL SETUSER alice +@all -get
            ACL GETUSER alice
            ACL SETUSER alice -@all +@read -@fast +@read
            ACL GETUSER alice
            ACL SETUSER alice allkeys resetkeys ~a allchannels resetchannels &b &b
            ACL GETUSER alice
            ACL SETUSER alice resetkeys %R~*
            ACL GETUSER alice
            ACL SETUSER alice resetkeys %RW~*
            ACL GETUSER alice
            ACL SETUSER alice resetkeys %R
            ACL GETUSER alice
            ACL SETUSER alice ON OFF NoPass skip-sanitize-payload
            ACL GETUSER alice
            ACL SETUSER alice sanitize-payload "" clearselectors allchannels
            ACL LIST
            ACL SETUSER bob on
            ACL SETUSER Bob on
            ACL USERS
            ACL DELUSER bob nosuch Bob
            ACL DELUSER default alice
            ACL USERS
            ACL DELUSER alice
            ACL LIST
            """);
    }

    [Fact]
    public async Task RuleAndSubcommandErrorsAreRedisErrors()
    {
        await RedisParity.AssertSameRepliesAsync(redis.EndPoint, node.App.RespEndPoint, """
            ACL SETUSER u nosuch
            ACL SETUSER u +nosuch
            ACL SETUSER u +@nosuch
            ACL SETUSER u -@nosuch
            ACL SETUSER u +
            ACL SETUSER u <nopw
            ACL SETUSER u #abc
            ACL SETUSER u !abc
            ACL SETUSER u #F64551FCD6F07823CB87971CFB91446425DA18286B3AB1EF935E0CBD7A69F68A
            ACL SETUSER u +config|get|x
            ACL SETUSER u +config|
            ACL SETUSER u +acl|nosuch
            ACL SETUSER u -select|0
            ACL SETUSER u %X~a
            ACL SETUSER u %RR~a
            ACL SETUSER u "~a b"
            ACL SETUSER u allkeys ~x
            ACL SETUSER u allkeys %R~x
            ACL SETUSER u allchannels &x
            ACL SETUSER u (+get
            ACL SETUSER u on (+get ~k
            ACL SETUSER "bad name"
            ACL GETUSER u
            ACL SETUSER u on >p +get nosuch
            ACL GETUSER u
            ACL GETUSER nosuch
            ACL DELUSER default
            ACL DRYRUN nobody get x
            ACL SETUSER u on
            ACL DRYRUN u nosuch
            ACL DRYRUN u get
            ACL DRYRUN u config nosuch
            ACL DRYRUN u client
            ACL CAT nosuch
            ACL CAT a b
            ACL GENPASS 0
            ACL GENPASS 4097
            ACL GENPASS -1
            ACL GENPASS x
            ACL GENPASS 1 2
            ACL LOG x
            ACL LOG -1
            ACL LOG 1 2
            ACL SAVE
            ACL LOAD
            ACL HELP
            ACL
            ACL nosuch
            ACL WHOAMI x
            ACL LIST x
            ACL USERS x
            ACL GETUSER
            ACL SETUSER
            ACL DELUSER
            ACL DRYRUN u
            ACL WHOAMI
            ACL CAT
            ACL DELUSER u
            """);
    }

    [Fact]
    public async Task RequirepassAuthHelloAndNoAuthAnswerAsRedis()
    {
        await RedisParity.AssertSameRepliesAsync(redis.EndPoint, node.App.RespEndPoint, """
            AUTH secret
            CONFIG SET requirepass secret
            CONFIG GET requirepass
            ACL LIST
            PING
            RESET
            PING
            GET x
            NOSUCH x
            GET
            CONFIG NOSUCH
            CONFIG GET
            CLIENT ID
            ACL WHOAMI
            SELECT 0
            AUTH
            AUTH a b c
            AUTH wrong
            AUTH default wrong
            AUTH nouser x
            HELLO
            HELLO 2
            HELLO 2 SETNAME x
            HELLO 2 AUTH default wrong
            HELLO 2 AUTH default
            HELLO 4
            HELLO x
            HELLO 2 FOO
            AUTH secret
            ACL WHOAMI
            GET x
            RESET
            GET x
            AUTH default secret
            ?HELLO 2 AUTH default secret
            ACL SETUSER limited on >lp -@all +@string -@write ~k*
            ACL SETUSER disabled off >op +@all ~*
            AUTH disabled op
            AUTH limited wrong
            AUTH limited lp
            ACL WHOAMI
            GET k1
            GET x
            MGET k1 x
            SET k1 v
            CLIENT LIST
            CONFIG GET requirepass
            PING
            AUTH default secret
            ACL WHOAMI
            ACL SETUSER default >second
            AUTH second
            AUTH secret
            CONFIG GET requirepass
            ACL DELUSER limited disabled
            CONFIG SET requirepass ""
            ACL LIST
            AUTH x
            AUTH default anything
            """);
    }

    /// <summary>SORT's BY and GET read keys named by values, so Redis allows them only to a user who may read every key.</summary>
    [Fact]
    public async Task SortPatternsNeedAccessToEveryKey()
    {
        await RedisParity.AssertSameRepliesAsync(redis.EndPoint, node.App.RespEndPoint, """
            RPUSH so:l 2 1 3
            MSET so:w_1 5 so:w_2 1 so:w_3 9
            ACL SETUSER sorter on >p +@all -@admin ~so:*
            ACL SETUSER everything on >p +@all -@admin ~*
            ACL SETUSER readall on >p +@all -@admin %R~* ~so:*
            ACL SETUSER writeall on >p +@all -@admin %W~* ~so:*
            AUTH sorter p
            SORT so:l
            SORT so:l BY so:w_*
            SORT so:l BY nosort
            SORT so:l GET #
            SORT_RO so:l GET so:w_*
            SORT so:l STORE so:d
            SORT so:l STORE other:d
            AUTH everything p
            SORT so:l BY so:w_* GET # GET so:w_*
            AUTH readall p
            SORT so:l BY so:w_* GET so:w_*
            AUTH writeall p
            SORT so:l BY so:w_*
            SORT so:l GET #
            """);
    }

    [Fact]
    public async Task KeyPatternsAndCategoriesDenyAsRedis()
    {
        await RedisParity.AssertSameRepliesAsync(redis.EndPoint, node.App.RespEndPoint, """
            SET r:1 one
            SET w:1 one
            ACL SETUSER reader on >p +@read -@dangerous %R~r:* ~both:*
            ACL SETUSER writer on >p +@all -@dangerous -@admin %W~w:* ~both:*
            AUTH reader p
            GET r:1
            GET w:1
            MGET r:1 both:1
            MGET r:1 w:1
            EXISTS w:1
            SET r:1 two
            KEYS *
            DBSIZE
            CONFIG GET maxmemory
            AUTH writer p
            SET w:2 two
            SET w:2 three GET
            GET w:2
            MSET w:3 3 both:3 3
            MSET w:3 3 r:3 3
            DEL w:3 both:3
            RENAME w:2 w:4
            RENAME both:1 w:5
            APPEND w:4 x
            INCR w:6
            SETNX w:7 x
            EXPIRE w:4 100
            TTL w:4
            STRLEN w:4
            OBJECT ENCODING w:4
            FLUSHALL
            CONFIG SET hz 10
            CLIENT KILL ID 1
            ACL LOG RESET
            AUTH default anything
            ACL DELUSER reader writer
            DEL r:1 w:1 w:4
            """);
    }
}
