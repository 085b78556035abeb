using System.IO.Compression;
using System.Xml.Linq;
using PepperCache.Server.Hosting;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Packaging;

/// <summary>
/// The packages <c>dotnet pack</c> makes, installed as a user would (docs/operations.md "Packages"): the
/// <c>peppercache-server</c> and <c>pepper-cli</c> tools from a folder feed, and the client library's package contents.
/// </summary>
public sealed class ToolPackageTests(ToolPackagesFixture packages) : IClassFixture<ToolPackagesFixture>
{
    [Fact]
    public async Task PeppercacheServerToolPrintsTheServersUsage()
    {
        var result = await ToolProcess.RunAsync(packages.Tool("peppercache-server"), ["--help"], timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(ServerArguments.Usage(), result.Output);
    }

    [Fact]
    public async Task PepperCliToolPrintsItsUsage()
    {
        var result = await ToolProcess.RunAsync(packages.Tool("pepper-cli"), ["--help"], timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("Usage of pepper-cli:\n  pepper-cli [flags] [command [arg ...]]\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("\n  -port int (or -p)\n", result.Output, StringComparison.Ordinal);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task TheInstalledServerServesAndTheInstalledCliTalksToIt()
    {
        await using var node = NodeProcess.Start(["--port", "0", "--admin-port", "0"], command: [packages.Tool("peppercache-server")]);
        var port = (await node.WaitForPortAsync("Cache Port: ")).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await node.WaitForOutputAsync("Ready to accept connections");

        var cli = packages.Tool("pepper-cli");
        Assert.Equal(new ToolResult(0, "PONG\n", ""), await ToolProcess.RunAsync(cli, ["-p", port, "ping"], timeout: TimeSpan.FromSeconds(60)));
        Assert.Equal(new ToolResult(0, "OK\n", ""), await ToolProcess.RunAsync(cli, ["-p", port, "set", "tool", "installed"], timeout: TimeSpan.FromSeconds(60)));
        // Not a terminal, so replies print bare, as redis-cli prints them into a pipe.
        Assert.Equal(new ToolResult(0, "installed\n", ""), await ToolProcess.RunAsync(cli, ["-p", port, "get", "tool"], timeout: TimeSpan.FromSeconds(60)));

        // The tool's node stops as the built one does: SIGTERM, exit 0.
        await node.SendSignalAsync("TERM");
        Assert.Equal(0, await node.WaitForExitAsync());
    }

    [Fact]
    public void ToolPackagesHoldTheToolAndItsReadmeAndNoContentFiles()
    {
        foreach (var (id, entry) in new[] { ("peppercache-server", "PepperCache.Server.dll"), ("pepper-cli", "pepper-cli.dll") })
        {
            using var zip = ZipFile.OpenRead(packages.Package(id));
            var names = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains("README.md", names);
            Assert.Contains("tools/net10.0/any/DotnetToolSettings.xml", names);
            Assert.Contains("tools/net10.0/any/" + entry, names);
            Assert.DoesNotContain(names, n => n.StartsWith("content", StringComparison.Ordinal));
            var nuspec = Nuspec(zip);
            Assert.Equal("README.md", Metadata(nuspec, "readme"));
            Assert.Contains("DotnetTool", nuspec.Descendants().Where(e => e.Name.LocalName == "packageType").Select(e => (string?)e.Attribute("name")));
        }
    }

    [Fact]
    public void ClientPackageCarriesXmlDocsAReadmeAndDependsOnTheProtocolPackage()
    {
        using (var zip = ZipFile.OpenRead(packages.Package("PepperCache.Client")))
        {
            var names = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains("lib/net10.0/PepperCache.Client.dll", names);
            Assert.Contains("lib/net10.0/PepperCache.Client.xml", names);
            Assert.Contains("README.md", names);
            var nuspec = Nuspec(zip);
            Assert.Equal("PepperCache.Client", Metadata(nuspec, "id"));
            Assert.Equal(packages.Version, Metadata(nuspec, "version"));
            Assert.Equal("README.md", Metadata(nuspec, "readme"));
            var dependencies = nuspec.Descendants().Where(e => e.Name.LocalName == "dependency")
                .ToDictionary(e => (string)e.Attribute("id")!, e => (string)e.Attribute("version")!);
            Assert.Equal(packages.Version, dependencies["PepperCache.Protocol"]);
            Assert.Contains("Pipelines.Sockets.Unofficial", dependencies.Keys);

            // IntelliSense for the API a user calls first.
            using var docs = zip.GetEntry("lib/net10.0/PepperCache.Client.xml")!.Open();
            var members = XDocument.Load(docs).Descendants("member").Select(m => (string)m.Attribute("name")!).ToList();
            Assert.Contains(members, m => m.StartsWith("M:PepperCache.Client.RespConnection.ExecuteAsync(System.Collections.Generic.IReadOnlyList{System.Byte[]}", StringComparison.Ordinal));
            Assert.Contains(members, m => m.StartsWith("M:PepperCache.Client.Cluster.ClusterClient.ConnectAsync(", StringComparison.Ordinal));
        }

        using (var zip = ZipFile.OpenRead(packages.Package("PepperCache.Protocol")))
        {
            var names = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains("lib/net10.0/PepperCache.Protocol.xml", names);
            Assert.Contains("README.md", names);
        }
    }

    private static XDocument Nuspec(ZipArchive zip)
    {
        using var stream = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        return XDocument.Load(stream);
    }

    private static string? Metadata(XDocument nuspec, string name) =>
        nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata").Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
}
