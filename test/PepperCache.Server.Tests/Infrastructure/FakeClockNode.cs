using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using PepperCache.Server.Hosting;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// A node per test whose clock is fake: advancing <see cref="Clock"/> fires its timers (the expiry cycle, a pause's
/// end), so a test waits for what a tick ran, never for real time.
/// </summary>
public abstract class FakeClockNode : IAsyncLifetime
{
    protected static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    protected FakeClockNode() =>
        App = new PepperCacheApplication(configureServices: services => services.AddSingleton<TimeProvider>(Clock));

    protected FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));

    protected PepperCacheApplication App { get; }

    private protected ExpiryService Expiry => App.Services.GetServices<IHostedService>().OfType<ExpiryService>().Single();

    public ValueTask InitializeAsync()
    {
        _ = App.RespEndPoint;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
