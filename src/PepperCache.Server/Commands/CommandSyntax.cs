namespace PepperCache.Server.Commands;

/// <summary>
/// The arguments of each command, for COMMAND DOCS, in the grammar of <see cref="CommandArgument.Parse"/>. Kept
/// apart from the definitions, one line per command. Every entry names a command or subcommand of the table
/// (CommandTableTests checks it, so no entry outlives its command). Full names for subcommands ("config|get").
/// </summary>
internal static class CommandSyntax
{
    private const string Expiration =
        "EX seconds:integer|PX milliseconds:integer|EXAT unix-time-seconds:unix-time|PXAT unix-time-milliseconds:unix-time";

    private const string Condition = "condition=[NX|XX|GT|LT]";

    private const string ClientType = "NORMAL|MASTER|REPLICA|PUBSUB";

    private static readonly Dictionary<string, string> Syntax = new(StringComparer.OrdinalIgnoreCase)
    {
        // connection
        ["ping"] = "[message]",
        ["echo"] = "message",
        ["select"] = "index:integer",
        ["hello"] = "arguments=[protover:integer auth=[AUTH username password] [SETNAME clientname]]",
        ["auth"] = "[username] password",
        ["client|setname"] = "connection-name",
        ["client|setinfo"] = "attr=(LIB-NAME libname|LIB-VER libver)",
        ["client|list"] = $"[TYPE client-type=({ClientType})] [ID client-id:integer ...]",
        ["client|kill"] =
            $"filter=(ip:port|new-format=([ID client-id:integer] [TYPE client-type=({ClientType})] [USER username] [ADDR ip:port] [LADDR ip:port] [SKIPME yes-no=(YES|NO)]))",

        // server
        ["flushdb"] = "flush-type=[ASYNC|SYNC]",
        ["flushall"] = "flush-type=[ASYNC|SYNC]",
        ["info"] = "[section ...]",
        ["config|get"] = "parameter ...",
        ["config|set"] = "data=(parameter value) ...",
        ["command|info"] = "[command-name ...]",
        ["command|docs"] = "[command-name ...]",
        ["command|list"] = "[FILTERBY filterby=(MODULE module-name|ACLCAT category|PATTERN pattern:pattern)]",
        ["command|getkeys"] = "command arg ...",
        ["acl|cat"] = "[category]",
        ["acl|deluser"] = "username ...",
        ["acl|dryrun"] = "username command [arg ...]",
        ["acl|genpass"] = "[bits:integer]",
        ["acl|getuser"] = "username",
        ["acl|log"] = "[operation=(count:integer|RESET)]",
        ["acl|setuser"] = "username [rule ...]",

        // string
        ["get"] = "key",
        ["set"] = $"key value condition=[NX|XX] [GET] expiration=[{Expiration}|KEEPTTL]",
        ["setnx"] = "key value",
        ["setex"] = "key seconds:integer value",
        ["psetex"] = "key milliseconds:integer value",
        ["getset"] = "key value",
        ["getdel"] = "key",
        ["getex"] = $"key expiration=[{Expiration}|PERSIST]",
        ["mget"] = "key ...",
        ["mset"] = "data=(key value) ...",
        ["msetnx"] = "data=(key value) ...",
        ["incr"] = "key",
        ["decr"] = "key",
        ["incrby"] = "key increment:integer",
        ["decrby"] = "key decrement:integer",
        ["incrbyfloat"] = "key increment:double",
        ["append"] = "key value",
        ["strlen"] = "key",
        ["getrange"] = "key start:integer end:integer",
        ["setrange"] = "key offset:integer value",

        // generic
        ["del"] = "key ...",
        ["unlink"] = "key ...",
        ["exists"] = "key ...",
        ["touch"] = "key ...",
        ["type"] = "key",
        ["expire"] = $"key seconds:integer {Condition}",
        ["pexpire"] = $"key milliseconds:integer {Condition}",
        ["expireat"] = $"key unix-time-seconds:unix-time {Condition}",
        ["pexpireat"] = $"key unix-time-milliseconds:unix-time {Condition}",
        ["ttl"] = "key",
        ["pttl"] = "key",
        ["expiretime"] = "key",
        ["pexpiretime"] = "key",
        ["persist"] = "key",
        ["keys"] = "pattern:pattern",
        ["scan"] = "cursor:integer [MATCH pattern:pattern] [COUNT count:integer] [TYPE type]",
        ["rename"] = "key newkey",
        ["renamenx"] = "key newkey",

        // hash
        ["hset"] = "key data=(field value) ...",
        ["hsetnx"] = "key field value",
        ["hmset"] = "key data=(field value) ...",
        ["hdel"] = "key field ...",
        ["hincrby"] = "key field increment:integer",
        ["hincrbyfloat"] = "key field increment:double",
        ["hget"] = "key field",
        ["hmget"] = "key field ...",
        ["hexists"] = "key field",
        ["hlen"] = "key",
        ["hstrlen"] = "key field",
        ["hgetall"] = "key",
        ["hkeys"] = "key",
        ["hvals"] = "key",
        ["hrandfield"] = "key options=[count:integer [WITHVALUES]]",
        ["hscan"] = "key cursor:integer [MATCH pattern:pattern] [COUNT count:integer]",

        // set
        ["sadd"] = "key member ...",
        ["srem"] = "key member ...",
        ["smembers"] = "key",
        ["sismember"] = "key member",
        ["smismember"] = "key member ...",
        ["scard"] = "key",
        ["spop"] = "key [count:integer]",
        ["srandmember"] = "key [count:integer]",
        ["smove"] = "source destination member",
        ["sinter"] = "key ...",
        ["sintercard"] = "numkeys:integer key ... [LIMIT limit:integer]",
        ["sinterstore"] = "destination key ...",
        ["sunion"] = "key ...",
        ["sunionstore"] = "destination key ...",
        ["sdiff"] = "key ...",
        ["sdiffstore"] = "destination key ...",
        ["sscan"] = "key cursor:integer [MATCH pattern:pattern] [COUNT count:integer]",
        // sorted set
        ["zadd"] = "key condition=[NX|XX] comparison=[GT|LT] [CH] [INCR] data=(score:double member) ...",
        ["zincrby"] = "key increment:integer member",
        ["zrem"] = "key member ...",
        ["zscore"] = "key member",
        ["zmscore"] = "key member ...",
        ["zcard"] = "key",
        ["zcount"] = "key min:double max:double",
        ["zlexcount"] = "key min max",
        ["zrange"] = "key start stop sortby=[BYSCORE|BYLEX] [REV] [LIMIT offset_count=(offset:integer count:integer)] [WITHSCORES]",
        ["zrangestore"] = "destination source min max sortby=[BYSCORE|BYLEX] [REV] [LIMIT offset_count=(offset:integer count:integer)]",
        ["zrangebyscore"] = "key min:double max:double [WITHSCORES] [LIMIT offset_count=(offset:integer count:integer)]",
        ["zrevrangebyscore"] = "key max:double min:double [WITHSCORES] [LIMIT offset_count=(offset:integer count:integer)]",
        ["zrangebylex"] = "key min max [LIMIT offset_count=(offset:integer count:integer)]",
        ["zrevrangebylex"] = "key max min [LIMIT offset_count=(offset:integer count:integer)]",
        ["zrevrange"] = "key start:integer stop:integer [WITHSCORES]",
        ["zrank"] = "key member",
        ["zrevrank"] = "key member",
        ["zpopmin"] = "key [count:integer]",
        ["zpopmax"] = "key [count:integer]",
        ["zmpop"] = "numkeys:integer key ... where=(MIN|MAX) [COUNT count:integer]",
        ["zrandmember"] = "key options=[count:integer [WITHSCORES]]",
        ["zunion"] = "numkeys:integer key ... [WEIGHTS weight:integer ...] aggregate=[AGGREGATE SUM|MIN|MAX] [WITHSCORES]",
        ["zinter"] = "numkeys:integer key ... [WEIGHTS weight:integer ...] aggregate=[AGGREGATE SUM|MIN|MAX] [WITHSCORES]",
        ["zdiff"] = "numkeys:integer key ... [WITHSCORES]",
        ["zunionstore"] = "destination numkeys:integer key ... [WEIGHTS weight:integer ...] aggregate=[AGGREGATE SUM|MIN|MAX]",
        ["zinterstore"] = "destination numkeys:integer key ... [WEIGHTS weight:integer ...] aggregate=[AGGREGATE SUM|MIN|MAX]",
        ["zdiffstore"] = "destination numkeys:integer key ...",
        ["zintercard"] = "numkeys:integer key ... [LIMIT limit:integer]",
        ["zremrangebyscore"] = "key min:double max:double",
        ["zremrangebyrank"] = "key start:integer stop:integer",
        ["zremrangebylex"] = "key min max",
        ["zscan"] = "key cursor:integer [MATCH pattern:pattern] [COUNT count:integer]",
        // list
        ["lpush"] = "key element ...",
        ["rpush"] = "key element ...",
        ["lpushx"] = "key element ...",
        ["rpushx"] = "key element ...",
        ["lpop"] = "key [count:integer]",
        ["rpop"] = "key [count:integer]",
        ["llen"] = "key",
        ["lrange"] = "key start:integer stop:integer",
        ["lindex"] = "key index:integer",
        ["lpos"] = "key element [RANK rank:integer] [COUNT num-matches:integer] [MAXLEN len:integer]",
        ["lset"] = "key index:integer element",
        ["linsert"] = "key where=(BEFORE|AFTER) pivot element",
        ["lrem"] = "key count:integer element",
        ["ltrim"] = "key start:integer stop:integer",
        ["lmove"] = "source destination wherefrom=(LEFT|RIGHT) whereto=(LEFT|RIGHT)",
        ["rpoplpush"] = "source destination",
        ["lmpop"] = "numkeys:integer key ... where=(LEFT|RIGHT) [COUNT count:integer]",
        ["blpop"] = "key ... timeout:double",
        ["brpop"] = "key ... timeout:double",
        ["blmove"] = "source destination wherefrom=(LEFT|RIGHT) whereto=(LEFT|RIGHT) timeout:double",
        ["brpoplpush"] = "source destination timeout:double",
        ["blmpop"] = "timeout:double numkeys:integer key ... where=(LEFT|RIGHT) [COUNT count:integer]",
        ["client|unblock"] = "client-id:integer unblock-type=[TIMEOUT|ERROR]",
    };

    private static readonly Dictionary<string, IReadOnlyList<CommandArgument>> Parsed =
        Syntax.ToDictionary(e => e.Key, e => CommandArgument.Parse(e.Value), StringComparer.OrdinalIgnoreCase);

    /// <summary>The arguments of <paramref name="fullName"/>; empty for a command that takes none or is not listed.</summary>
    public static IReadOnlyList<CommandArgument> ArgumentsOf(string fullName) => Parsed.GetValueOrDefault(fullName) ?? [];

    /// <summary>The commands that have an entry here.</summary>
    internal static IEnumerable<string> Names => Syntax.Keys;
}
