namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>One node shared by a test class (xunit class fixture). Tests use their own key names to stay independent.</summary>
public sealed class NodeFixture : IAsyncLifetime
{
    public PepperCacheApplication App { get; } = new();

    public ValueTask InitializeAsync()
    {
        _ = App.RespEndPoint;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}
