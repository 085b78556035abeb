using System.Globalization;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Security;

/// <summary>
/// The node as a process with TLS: Debian's redis-cli (built with TLS) on the TLS port, curl on the HTTPS admin port,
/// and TLS settings the node cannot use stopping it with exit code 1 and one line on stderr.
/// </summary>
public sealed class TlsProcessTests : IDisposable
{
    private readonly TestCertificates _certificates = TestCertificates.Create();

    public void Dispose() => _certificates.Dispose();

    [Fact]
    public async Task RedisCliOverTlsAndCurlOnTheHttpsAdminPort()
    {
        var tlsPort = NodeProcess.FreePort().ToString(CultureInfo.InvariantCulture);
        await using var node = NodeProcess.Start(
        [
            "--port", "0", "--admin-port", "0", "--appendonly", "no", "--tls-port", tlsPort, "--tls-admin", "yes",
            "--tls-cert-file", _certificates.NodeCertFile, "--tls-key-file", _certificates.NodeKeyFile, "--tls-ca-cert-file", _certificates.CaFile,
        ]);
        await node.WaitForOutputAsync("TLS Port: " + tlsPort);
        var adminLine = await node.WaitForOutputAsync("Admin Port: ");
        var adminPort = adminLine[(adminLine.IndexOf("Admin Port: ", StringComparison.Ordinal) + 12)..].Trim();
        Assert.DoesNotContain(node.StandardOutput, l => l.Contains("Cache Port: ", StringComparison.Ordinal));

        string[] cli = ["--tls", "--cacert", _certificates.CaFile, "--cert", _certificates.ClientCertFile, "--key", _certificates.ClientKeyFile, "-p", tlsPort];
        Assert.Equal("PONG\n", (await ToolProcess.RunAsync("redis-cli", [.. cli, "PING"], timeout: TimeSpan.FromSeconds(30))).Output);
        Assert.Equal("OK\n", (await ToolProcess.RunAsync("redis-cli", [.. cli, "SET", "tls:k", "over redis-cli"], timeout: TimeSpan.FromSeconds(30))).Output);
        Assert.Equal("over redis-cli\n", (await ToolProcess.RunAsync("redis-cli", [.. cli, "GET", "tls:k"], timeout: TimeSpan.FromSeconds(30))).Output);
        // No client certificate: tls-auth-clients yes (the default) refuses it.
        var refused = await ToolProcess.RunAsync("redis-cli", ["--tls", "--cacert", _certificates.CaFile, "-p", tlsPort, "PING"], timeout: TimeSpan.FromSeconds(30));
        Assert.DoesNotContain("PONG", refused.Output, StringComparison.Ordinal);

        string[] curl = ["-sS", "--max-time", "20", "--cacert", _certificates.CaFile, "--cert", _certificates.ClientCertFile, "--key", _certificates.ClientKeyFile];
        var cluster = await ToolProcess.RunAsync("curl", [.. curl, $"https://127.0.0.1:{adminPort}/cluster"], timeout: TimeSpan.FromSeconds(30));
        Assert.Equal(0, cluster.ExitCode);
        Assert.Equal($"[\"127.0.0.1:{tlsPort}\"]", cluster.Output);
        var plainHttp = await ToolProcess.RunAsync("curl", ["-sS", "--max-time", "20", $"http://127.0.0.1:{adminPort}/cluster"], timeout: TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, plainHttp.ExitCode);
    }

    [Fact]
    public async Task TlsSettingsTheNodeCannotUseStopItWithExitCodeOneAndOneLine()
    {
        using var other = TestCertificates.Create("Another CA");
        var missing = Path.Combine(_certificates.Directory, "missing.crt");
        (string[] Arguments, string Error)[] cases =
        [
            (["--tls-key-file", _certificates.NodeKeyFile, "--tls-ca-cert-file", _certificates.CaFile], "error: Failed to configure TLS: no tls-cert-file configured"),
            (["--tls-cert-file", missing, "--tls-key-file", _certificates.NodeKeyFile, "--tls-ca-cert-file", _certificates.CaFile],
                $"error: Failed to load certificate: {missing}: No such file or directory"),
            (["--tls-cert-file", _certificates.NodeCertFile, "--tls-key-file", other.ClientKeyFile, "--tls-ca-cert-file", _certificates.CaFile],
                $"error: Failed to load private key: {other.ClientKeyFile}: key values mismatch (the key is not the certificate's)"),
            (["--tls-cert-file", _certificates.NodeCertFile, "--tls-key-file", _certificates.NodeKeyFile],
                "error: Failed to configure TLS: tls-ca-cert-file must be specified when tls-cluster or tls-auth-clients are enabled"),
        ];
        foreach (var (arguments, error) in cases)
        {
            await using var node = NodeProcess.Start(["--port", "0", "--admin-port", "0", "--appendonly", "no", "--tls-port", "1", .. arguments]);
            var exitCode = await node.WaitForExitAsync();
            Assert.True(exitCode == 1, $"exit code {exitCode}, stderr: {string.Join('\n', node.StandardError)}");
            Assert.Equal([error], node.StandardError);
        }
    }
}
