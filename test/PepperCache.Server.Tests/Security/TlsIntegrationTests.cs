using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using PepperCache.Server.Tests.Infrastructure;
using StackExchange.Redis;

namespace PepperCache.Server.Tests.Security;

/// <summary>
/// The TLS cache port in-process (Kestrel's TLS in front of the RESP handler), with certificates made for the test:
/// StackExchange.Redis over ssl, Redis's three tls-auth-clients modes, plain RESP refused on the TLS port, and a
/// plain port beside the TLS one.
/// </summary>
public sealed class TlsIntegrationTests : IDisposable
{
    private readonly TestCertificates _certificates = TestCertificates.Create();

    public void Dispose() => _certificates.Dispose();

    [Fact]
    public async Task StackExchangeRedisWithSslSetsAndGetsAndReadsTheTlsSettings()
    {
        await using var node = new PepperCacheApplication(_certificates.NodeSettings(("TlsPort", FreePort())));
        var options = new ConfigurationOptions
        {
            EndPoints = { node.TlsEndPoint },
            Ssl = true,
            SslHost = "localhost",
            AllowAdmin = true,
            AbortOnConnectFail = true,
            ConnectTimeout = 10000,
            SyncTimeout = 10000,
            AsyncTimeout = 10000,
        };
        options.CertificateValidation += (_, certificate, _, _) => _certificates.Trusts(certificate);
        options.CertificateSelection += (_, _, _, _, _) => _certificates.Client;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        var db = redis.GetDatabase();

        Assert.True(await db.StringSetAsync("tls:greeting", "hello over tls"));
        Assert.Equal("hello over tls", (string?)await db.StringGetAsync("tls:greeting"));

        var config = (await redis.GetServer(node.TlsEndPoint).ConfigGetAsync("tls-*")).ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(node.TlsEndPoint.Port.ToString(CultureInfo.InvariantCulture), config["tls-port"]);
        Assert.Equal(_certificates.NodeCertFile, config["tls-cert-file"]);
        Assert.Equal(_certificates.NodeKeyFile, config["tls-key-file"]);
        Assert.Equal(_certificates.CaFile, config["tls-ca-cert-file"]);
        Assert.Equal("yes", config["tls-auth-clients"]);
        Assert.Equal("no", config["tls-cluster"]);
        Assert.Equal("no", config["tls-admin"]);
        // --tls-port with --port 0: no plain port, as in Redis.
        Assert.Equal("0", Assert.Single(await redis.GetServer(node.TlsEndPoint).ConfigGetAsync("port")).Value);
    }

    [Fact]
    public async Task TlsAuthClientsYesRefusesAClientWithoutACertificateOrWithOneFromAnotherCa()
    {
        using var stranger = TestCertificates.Create("Another CA");
        await using var node = new PepperCacheApplication(_certificates.NodeSettings(("TlsPort", FreePort())));

        Assert.Equal("+PONG\r\n", await _certificates.TryPingAsync(node.TlsEndPoint, _certificates.Client));
        Assert.Null(await _certificates.TryPingAsync(node.TlsEndPoint, null));
        Assert.Null(await _certificates.TryPingAsync(node.TlsEndPoint, stranger.Client));
    }

    [Fact]
    public async Task TlsAuthClientsOptionalAcceptsNoCertificateButChecksOneThatIsSent()
    {
        using var stranger = TestCertificates.Create("Another CA");
        await using var node = new PepperCacheApplication(_certificates.NodeSettings(("TlsPort", FreePort()), ("TlsAuthClients", "optional")));

        Assert.Equal("+PONG\r\n", await _certificates.TryPingAsync(node.TlsEndPoint, null));
        Assert.Equal("+PONG\r\n", await _certificates.TryPingAsync(node.TlsEndPoint, _certificates.Client));
        Assert.Null(await _certificates.TryPingAsync(node.TlsEndPoint, stranger.Client));
    }

    [Fact]
    public async Task TlsAuthClientsNoNeedsNoCaFileAndAsksForNoCertificate()
    {
        var settings = _certificates.NodeSettings(("TlsPort", FreePort()), ("TlsAuthClients", "no"));
        settings.Remove("PepperCache:TlsCaCertFile");
        await using var node = new PepperCacheApplication(settings);

        Assert.Equal("+PONG\r\n", await _certificates.TryPingAsync(node.TlsEndPoint, null));
    }

    [Fact]
    public async Task PlainRespOnTheTlsPortGetsNoReplyAndIsClosed()
    {
        await using var node = new PepperCacheApplication(_certificates.NodeSettings(("TlsPort", FreePort())));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(node.TlsEndPoint, timeout.Token);
        var stream = tcp.GetStream();
        await stream.WriteAsync("*1\r\n$4\r\nPING\r\n"u8.ToArray(), timeout.Token);

        // Everything the node sends until it closes the connection (bounded by the timeout): no RESP reply.
        var received = new MemoryStream();
        var buffer = new byte[256];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // Reset by the node: closed as well.
        }

        Assert.DoesNotContain("PONG", Encoding.ASCII.GetString(received.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task APlainPortBesideTheTlsPortServesTheSameKeysAndConfigReportsBoth()
    {
        var plainPort = FreePort();
        var tlsPort = FreePort();
        await using var node = new PepperCacheApplication(_certificates.NodeSettings(("TlsPort", tlsPort), ("Port", plainPort)));
        await using var plain = await node.ConnectRawAsync();
        Assert.Equal("OK", await plain.CommandAsync("SET", "both", "ways"));

        await using var tls = await PepperCache.Client.RespConnection.ConnectAsync("127.0.0.1", node.TlsEndPoint.Port, _certificates.ClientOptions(_certificates.Client),
            TestContext.Current.CancellationToken);
        Assert.Equal("ways", (await tls.ExecuteAsync("GET", "both")).Text);
        var config = (await tls.ExecuteAsync("CONFIG", "GET", "port", "tls-port")).Elements.Select(e => e.Text).ToArray();
        Assert.Equal(["port", plainPort, "tls-port", tlsPort], Pairs(config));
    }

    private static string FreePort() => NodeProcess.FreePort().ToString(CultureInfo.InvariantCulture);

    /// <summary>CONFIG GET's name/value pairs in name order, flattened again.</summary>
    private static string?[] Pairs(string?[] flat) =>
        [.. flat.Chunk(2).OrderBy(p => p[0], StringComparer.Ordinal).SelectMany(p => p)];
}
