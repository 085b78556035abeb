using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Security;

/// <summary>One node per test class started with requirepass set (<c>PepperCache:RequirePass</c>, as --requirepass sets it).</summary>
public sealed class PasswordNodeFixture : IAsyncLifetime
{
    public PepperCacheApplication App { get; } = new(new Dictionary<string, string?>
    {
        ["PepperCache:RequirePass"] = AclTestSupport.Password,
    });

    public ValueTask InitializeAsync()
    {
        _ = App.RespEndPoint;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}
