using Microsoft.Extensions.DependencyInjection;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// One node per test class on a <see cref="JumpClock"/>, so expiry and blocking tests move time themselves and
/// assert exact TTLs and deadlines instead of sleeping.
/// </summary>
public sealed class FakeClockNodeFixture : IAsyncLifetime
{
    public FakeClockNodeFixture()
    {
        Clock = new JumpClock(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
        App = new PepperCacheApplication(configureServices: services => services.AddSingleton<TimeProvider>(Clock));
    }

    public JumpClock Clock { get; }

    public PepperCacheApplication App { get; }

    /// <summary>The fake clock's current time in Unix milliseconds (what the store calls now).</summary>
    public long NowMs => Clock.GetUtcNow().ToUnixTimeMilliseconds();

    public ValueTask InitializeAsync()
    {
        _ = App.RespEndPoint;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}
