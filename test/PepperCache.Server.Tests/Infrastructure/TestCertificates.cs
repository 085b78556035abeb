using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// A throwaway CA with a node certificate and a client certificate, made at test time (ECDSA P-256, valid a day) and
/// written as PEM files to a temporary directory deleted on dispose: no key is ever committed. The node certificate
/// names 127.0.0.1 and localhost and may act as a client too (members present it to each other).
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private TestCertificates(string directory, X509Certificate2 authority, X509Certificate2 client)
    {
        Directory = directory;
        Authority = authority;
        Client = client;
    }

    public string Directory { get; }

    public X509Certificate2 Authority { get; }

    /// <summary>The client certificate, with its private key.</summary>
    public X509Certificate2 Client { get; }

    public string CaFile => Path.Combine(Directory, "ca.crt");

    public string NodeCertFile => Path.Combine(Directory, "node.crt");

    public string NodeKeyFile => Path.Combine(Directory, "node.key");

    public string ClientCertFile => Path.Combine(Directory, "client.crt");

    public string ClientKeyFile => Path.Combine(Directory, "client.key");

    public static TestCertificates Create(string name = "PepperCache Test CA")
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("peppercache-tls-").FullName;
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = DateTimeOffset.UtcNow.AddDays(1);

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN={name}", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var authority = caRequest.CreateSelfSigned(notBefore, notAfter);
        File.WriteAllText(Path.Combine(directory, "ca.crt"), authority.ExportCertificatePem());

        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        Issue(authority, "CN=127.0.0.1", names.Build(), ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], notBefore, notAfter, directory, "node").Dispose();

        var client = Issue(authority, "CN=pepper-test-client", null, ["1.3.6.1.5.5.7.3.2"], notBefore, notAfter, directory, "client");
        return new TestCertificates(directory, authority, client);
    }

    /// <summary>Whether <paramref name="certificate"/> chains to this CA (a client's server-certificate check).</summary>
    public bool Trusts(X509Certificate? certificate)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }

    /// <summary>The node's settings for TLS with these files (<c>PepperCache:TlsCertFile</c>...), plus <paramref name="extra"/>.</summary>
    public Dictionary<string, string?> NodeSettings(params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["PepperCache:TlsCertFile"] = NodeCertFile,
            ["PepperCache:TlsKeyFile"] = NodeKeyFile,
            ["PepperCache:TlsCaCertFile"] = CaFile,
        };
        foreach (var (key, value) in extra)
        {
            settings["PepperCache:" + key] = value;
        }

        return settings;
    }

    /// <summary>TLS client settings: this CA trusted, and <paramref name="clientCertificate"/> presented when given.</summary>
    public SslClientAuthenticationOptions ClientOptions(X509Certificate2? clientCertificate) => new()
    {
        TargetHost = "localhost",
        RemoteCertificateValidationCallback = (_, certificate, _, _) => Trusts(certificate),
        ClientCertificates = clientCertificate is null ? null : [clientCertificate],
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
    };

    /// <summary>
    /// Sends PING over TLS and returns the first reply line, or null when the node refused the connection (the
    /// handshake failed or the connection closed before any reply). Bounded by a 10 s timeout.
    /// </summary>
    public async Task<string?> TryPingAsync(IPEndPoint endpoint, X509Certificate2? clientCertificate)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync(endpoint, timeout.Token);
            await using var tls = new SslStream(tcp.GetStream());
            await tls.AuthenticateAsClientAsync(ClientOptions(clientCertificate), timeout.Token);
            await tls.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            await tls.FlushAsync(timeout.Token);
            var buffer = new byte[64];
            var read = await tls.ReadAsync(buffer, timeout.Token);
            return read == 0 ? null : Encoding.ASCII.GetString(buffer, 0, read);
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException or SocketException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        Authority.Dispose();
        Client.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    private static X509Certificate2 Issue(
        X509Certificate2 authority, string subject, X509Extension? names, string[] usages, DateTimeOffset notBefore, DateTimeOffset notAfter, string directory, string file)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var oids = new OidCollection();
        foreach (var usage in usages)
        {
            oids.Add(new Oid(usage));
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        if (names is not null)
        {
            request.CertificateExtensions.Add(names);
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(authority, notBefore, notAfter, serial);
        File.WriteAllText(Path.Combine(directory, file + ".crt"), issued.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, file + ".key"), key.ExportPkcs8PrivateKeyPem());
        return issued.CopyWithPrivateKey(key);
    }
}
