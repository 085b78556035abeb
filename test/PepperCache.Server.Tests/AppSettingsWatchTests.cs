using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests;

/// <summary>
/// appsettings.json is read once at start: a reloading provider watches the whole content root, where data/ and the
/// AOF live by default, and every AOF write then woke the watcher.
/// </summary>
public sealed class AppSettingsWatchTests
{
    [Fact]
    public void NoConfigurationFileIsWatchedForChanges()
    {
        using var node = new PepperCacheApplication();
        _ = node.RespEndPoint;

        var configuration = (IConfigurationRoot)node.Services.GetRequiredService<IConfiguration>();
        var files = configuration.Providers.OfType<FileConfigurationProvider>().ToList();

        Assert.Contains(files, file => file.Source.Path == "appsettings.json");
        Assert.All(files, file => Assert.False(file.Source.ReloadOnChange, $"{file.Source.Path} reloads on change"));
    }
}
