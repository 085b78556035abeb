using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// One node per test class whose store reads a <see cref="FakeTimeProvider"/>, so expiry tests move time
/// themselves and assert exact TTLs instead of sleeping.
/// </summary>
public sealed class FakeClockNodeFixture : IAsyncLifetime
{
    public FakeClockNodeFixture()
    {
        Clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
        App = new PepperCacheApplication(configureServices: services => services.AddSingleton<TimeProvider>(Clock));
    }

    public FakeTimeProvider Clock { get; }

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
