using PepperCache.Server.Tests.Infrastructure;
using PepperCache.Server.Tests.Packaging;

namespace PepperCache.Server.Tests.Ecosystem;

/// <summary>
/// Runs the Node.js programs in test/node (ioredis, the Kubernetes manifest check) with the machine's node. Their
/// packages, pinned in test/node/package-lock.json, are installed with <c>npm ci</c> once: again only when the lock
/// file is newer than the install (test.sh installs Debian's nodejs and npm when they are missing).
/// </summary>
internal static class NodeJs
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private static bool _installed;

    public static string Folder { get; } = Path.Combine(RepositoryPaths.Root, "test", "node");

    /// <summary>Runs <c>node script arguments...</c> in test/node, after making sure its packages are installed.</summary>
    public static async Task<ToolResult> RunAsync(string script, params string[] arguments)
    {
        await EnsurePackagesAsync();
        return await ToolProcess.RunAsync("node", [Path.Combine(Folder, script), .. arguments], timeout: TimeSpan.FromSeconds(60));
    }

    internal static async Task EnsurePackagesAsync()
    {
        await InstallGate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            var installed = new FileInfo(Path.Combine(Folder, "node_modules", ".package-lock.json"));
            var lockFile = new FileInfo(Path.Combine(Folder, "package-lock.json"));
            if (_installed || (installed.Exists && installed.LastWriteTimeUtc >= lockFile.LastWriteTimeUtc))
            {
                _installed = true;
                return;
            }

            var result = await ToolProcess.RunAsync(
                "npm", ["ci", "--prefix", Folder, "--no-audit", "--no-fund", "--loglevel=error"], timeout: TimeSpan.FromMinutes(5));
            Assert.True(result.ExitCode == 0, $"npm ci in test/node exited {result.ExitCode}:\n{result.Output}\n{result.Error}");
            _installed = true;
        }
        finally
        {
            InstallGate.Release();
        }
    }
}
