using System.Globalization;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Packaging;

/// <summary>
/// Packs the four packages (<c>dotnet pack --no-build</c> of what the test run built) into a folder feed, and installs
/// the two tools from it with <c>dotnet tool install --tool-path</c>, once per test class. Offline by construction: the
/// install reads a NuGet config that lists only the folder feed, and a packages folder of its own, so it neither asks
/// nuget.org nor leaves test versions in the machine's cache. The version is new each run for the same reason.
/// </summary>
public sealed class ToolPackagesFixture : IAsyncLifetime
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(3);

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("peppercache-pack-");

    public string Version { get; } = "0.0.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);

    public string Feed => Path.Combine(_work.FullName, "feed");

    public string ToolPath => Path.Combine(_work.FullName, "tools");

    public string Tool(string command) => Path.Combine(ToolPath, command);

    public string Package(string id) => Path.Combine(Feed, $"{id}.{Version}.nupkg");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Feed);
        var config = Path.Combine(_work.FullName, "nuget.config");
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{Feed}" />
              </packageSources>
            </configuration>
            """);

        foreach (var project in new[] { "PepperCache.Server", "PepperCache.Cli", "PepperCache.Client", "PepperCache.Protocol" })
        {
            await DotnetAsync(
                "pack", Path.Combine(RepositoryPaths.Root, "src", project), "-c", RepositoryPaths.Configuration, "--no-build",
                "-o", Feed, "-p:PackageVersion=" + Version, "-p:NuspecOutputPath=" + Path.Combine(_work.FullName, "nuspec", project) + "/", "-nodeReuse:false");
        }

        foreach (var tool in new[] { "peppercache-server", "pepper-cli" })
        {
            await DotnetAsync("tool", "install", tool, "--version", Version, "--tool-path", ToolPath, "--configfile", config);
        }
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            _work.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }

        return ValueTask.CompletedTask;
    }

    private async Task DotnetAsync(params string[] arguments)
    {
        var result = await ToolProcess.RunAsync(NodeProcess.DotnetHost, arguments, environment: new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = Path.Combine(_work.FullName, "packages"),
            // No MSBuild node or build server may outlive the step: test.sh waits for every process holding its pipe.
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        }, timeout: StepTimeout);
        Assert.True(result.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} exited {result.ExitCode}:\n{result.Output}\n{result.Error}");
    }
}
