namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// A redis-server started with <c>--databases 1</c>, beside a node: the reference for the commands that name another
/// database (MOVE, SWAPDB), as the node has one (CONFIG GET databases is 1).
/// </summary>
public sealed class OneDatabaseRedisFixture() : RedisServerFixture(["--databases", "1"]);
