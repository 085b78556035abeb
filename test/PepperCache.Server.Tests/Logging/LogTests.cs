using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PepperCache.Server.Logging;

namespace PepperCache.Server.Tests.Logging;

/// <summary>
/// The membership messages an operator sees on ordinary paths (nodes started together, a restart after a leave)
/// are information; warnings are kept for what needs a look, and those a client can cause at will are rate-limited.
/// </summary>
public sealed class LogTests
{
    [Fact]
    public void JoinAttemptsWhileTheSeedIsStartingAreInformationAndLaterOnesWarnings()
    {
        var logger = new ListLogger();

        for (var attempt = 1; attempt <= Log.QuietJoinAttempts + 1; attempt++)
        {
            Log.JoinFailed(logger, "127.0.0.1", attempt, "Connection refused (127.0.0.1:18088)");
        }

        Assert.All(logger.Entries.Take(Log.QuietJoinAttempts), e => Assert.Equal(LogLevel.Information, e.Level));
        Assert.Equal("Waiting for seed 127.0.0.1 (attempt 1): Connection refused (127.0.0.1:18088)", logger.Entries[0].Message);
        var last = logger.Entries[^1];
        Assert.Equal(LogLevel.Warning, last.Level);
        Assert.Equal($"Cannot join through 127.0.0.1 (attempt {Log.QuietJoinAttempts + 1}): Connection refused (127.0.0.1:18088)", last.Message);
    }

    [Fact]
    public void GivingUpOnTheSeedIsAWarningThatDoesNotSayLeaving()
    {
        var logger = new ListLogger();

        Log.GaveUpJoining(logger, "127.0.0.1");

        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal("Gave up joining through 127.0.0.1; serving alone", entry.Message);
    }

    [Fact]
    public void AReturningNodeDroppingItsOldCopyIsInformation()
    {
        var logger = new ListLogger();

        Log.DroppedStaleKeys(logger, 353);

        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.StartsWith("Returning node: dropped its old copy of 353 keys, in slots other members own now", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AProtocolErrorIsDebugAsRedisLogsItAtVerbose()
    {
        var logger = new ListLogger();

        Log.ProtocolError(logger, 7, "invalid multibulk length");

        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Debug, entry.Level);
        Assert.Equal("Client 7 closed after a protocol error: invalid multibulk length", entry.Message);
    }

    [Fact]
    public void ARateLimiterLetsTheFirstFewThroughThenSaysHowManyItHeldBackWhenTheIntervalEnds()
    {
        var logger = new ListLogger();
        var time = new FakeTimeProvider();
        var limiter = new LogRateLimiter(logger, "connection failure", 3, TimeSpan.FromMinutes(1), time);

        var passed = Enumerable.Range(0, 1000).Count(_ => limiter.ShouldLog());

        Assert.Equal(3, passed);
        Assert.Empty(logger.Entries);
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Empty(logger.Entries);
        time.Advance(TimeSpan.FromSeconds(1));
        var summary = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, summary.Level);
        Assert.Equal("Suppressed 997 more connection failure messages in the last 60 seconds", summary.Message);

        // A new interval: three more get through, and with none held back, no summary follows.
        Assert.Equal(3, Enumerable.Range(0, 3).Count(_ => limiter.ShouldLog()));
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Single(logger.Entries);
        Assert.True(limiter.ShouldLog());
    }

    [Fact]
    public void ARateLimiterStartsAFreshIntervalAfterAQuietOne()
    {
        var time = new FakeTimeProvider();
        var limiter = new LogRateLimiter(new ListLogger(), "query buffer limit", 2, TimeSpan.FromSeconds(10), time);

        Assert.True(limiter.ShouldLog());
        time.Advance(TimeSpan.FromSeconds(11));
        Assert.True(limiter.ShouldLog());
        Assert.True(limiter.ShouldLog());
        Assert.False(limiter.ShouldLog());
    }

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}
