using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;
using PepperCache.Server.Hosting;

namespace PepperCache.Server.Tls;

/// <summary>A TLS setting the node cannot use: reported at start-up in one line, as Redis's "Failed to configure TLS".</summary>
internal sealed class TlsConfigurationException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The node's certificates, read once at start-up: its own (served on the TLS port and the HTTPS admin port, and
/// presented to peers as a client certificate), and the CA certificates that client and peer certificates must chain
/// to. Both sides of every TLS connection trust only that CA, not the machine's store, and no host name is checked
/// against a peer's certificate (members are addressed by IP), as Redis does for its cluster links.
/// </summary>
internal sealed class NodeTls : IDisposable
{
    private readonly X509Certificate2? _certificate;
    private readonly X509Certificate2Collection _intermediates = [];
    private readonly X509Certificate2Collection _authorities = [];
    private readonly SslStreamCertificateContext? _clientContext;

    /// <exception cref="TlsConfigurationException">A file missing or unreadable, no certificate in it, or a key that does not match.</exception>
    public NodeTls(IOptions<PepperCacheOptions> options)
    {
        var o = options.Value;
        Enabled = o.TlsEnabled;
        Cluster = o.TlsClusterEnabled;
        AdminHttps = o.AdminHttps;
        _ = TryParseAuthClients(o.TlsAuthClients, out var mode);
        ClientCertificates = mode;
        if (!Enabled)
        {
            return;
        }

        // Redis's checks and words, in its order.
        if (string.IsNullOrEmpty(o.TlsCertFile))
        {
            throw new TlsConfigurationException("Failed to configure TLS: no tls-cert-file configured");
        }

        if (string.IsNullOrEmpty(o.TlsKeyFile))
        {
            throw new TlsConfigurationException("Failed to configure TLS: no tls-key-file configured");
        }

        if (string.IsNullOrEmpty(o.TlsCaCertFile) && (Cluster || mode != ClientCertificateMode.NoCertificate))
        {
            throw new TlsConfigurationException(
                "Failed to configure TLS: tls-ca-cert-file must be specified when tls-cluster or tls-auth-clients are enabled");
        }

        var certificateText = ReadFile(o.TlsCertFile, "certificate");
        var chain = ParseCertificates(certificateText, o.TlsCertFile, "certificate");
        var keyText = ReadFile(o.TlsKeyFile, "private key");
        try
        {
            // CreateFromPem pairs the first certificate with the key; anything after it is the chain.
            _certificate = X509Certificate2.CreateFromPem(certificateText, keyText);
        }
        // A key of the certificate's algorithm but not its own throws ArgumentException; other mismatches CryptographicException.
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            var reason = keyText.Contains("PRIVATE KEY-----", StringComparison.Ordinal)
                ? keyText.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal)
                    ? "the key is encrypted (tls-key-file-pass is not supported)"
                    : "key values mismatch (the key is not the certificate's)"
                : "no PEM private key in it";
            throw new TlsConfigurationException($"Failed to load private key: {o.TlsKeyFile}: {reason}", ex);
        }

        for (var i = 1; i < chain.Count; i++)
        {
            _intermediates.Add(chain[i]);
        }

        if (!string.IsNullOrEmpty(o.TlsCaCertFile))
        {
            _authorities = ParseCertificates(ReadFile(o.TlsCaCertFile, "CA certificates"), o.TlsCaCertFile, "CA certificates");
        }

        _clientContext = SslStreamCertificateContext.Create(_certificate, _intermediates, offline: true);
    }

    /// <summary>Something listens or calls out over TLS (a TLS port, HTTPS admin, or TLS to peers).</summary>
    public bool Enabled { get; }

    /// <summary><c>--tls-cluster yes</c>: slot moves go to peers' TLS ports and membership calls use HTTPS.</summary>
    public bool Cluster { get; }

    /// <summary>The admin port serves HTTPS, so peers' admin ports are called over HTTPS too (every member is set alike).</summary>
    public bool AdminHttps { get; }

    /// <summary>Redis's <c>tls-auth-clients</c>: yes = required, optional = checked if sent, no = not asked for.</summary>
    public ClientCertificateMode ClientCertificates { get; }

    /// <summary>Redis's three words for <c>tls-auth-clients</c>, as Kestrel's modes.</summary>
    public static bool TryParseAuthClients(string? value, out ClientCertificateMode mode)
    {
        switch (value?.ToLowerInvariant())
        {
            case "yes":
                mode = ClientCertificateMode.RequireCertificate;
                return true;
            case "optional":
                mode = ClientCertificateMode.AllowCertificate;
                return true;
            case "no":
                mode = ClientCertificateMode.NoCertificate;
                return true;
            default:
                mode = ClientCertificateMode.RequireCertificate;
                return false;
        }
    }

    /// <summary>Kestrel's TLS settings for a listener (the TLS cache port, the HTTPS admin port).</summary>
    public HttpsConnectionAdapterOptions ServerOptions() => new()
    {
        ServerCertificate = Certificate,
        ServerCertificateChain = _intermediates,
        ClientCertificateMode = ClientCertificates,
        ClientCertificateValidation = (certificate, chain, _) => IsTrusted(certificate, chain),
        // The CA file is the whole trust: no revocation lists fetched from the network.
        CheckCertificateRevocation = false,
        SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
    };

    /// <summary>
    /// TLS for a call to a peer (membership over HTTPS, slot moves over RESP): this node's certificate as the client
    /// certificate, and the peer's certificate checked against the CA.
    /// </summary>
    /// <param name="targetHost">Sent as SNI when a name; null (HttpClient fills in the request's host).</param>
    public SslClientAuthenticationOptions ClientOptions(string? targetHost) => new()
    {
        TargetHost = targetHost,
        ClientCertificateContext = _clientContext ?? throw new InvalidOperationException("TLS is not configured"),
        RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
            certificate is not null && IsTrusted(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()), chain),
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
    };

    public void Dispose()
    {
        _certificate?.Dispose();
        foreach (var certificate in _intermediates.Concat(_authorities))
        {
            certificate.Dispose();
        }
    }

    private X509Certificate2 Certificate => _certificate ?? throw new InvalidOperationException("TLS is not configured");

    /// <summary>Whether <paramref name="certificate"/> chains to one of the CA certificates (with any intermediates the peer sent).</summary>
    private bool IsTrusted(X509Certificate2 certificate, X509Chain? sent)
    {
        if (_authorities.Count == 0)
        {
            // tls-auth-clients no: a certificate sent anyway is not asked for and not checked.
            return ClientCertificates == ClientCertificateMode.NoCertificate;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (sent is not null)
        {
            foreach (var element in sent.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(certificate);
    }

    private static X509Certificate2Collection ParseCertificates(string text, string path, string what)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(text);
        }
        catch (CryptographicException ex)
        {
            throw new TlsConfigurationException($"Failed to load {what}: {path}: not a PEM certificate file", ex);
        }

        if (certificates.Count == 0)
        {
            throw new TlsConfigurationException($"Failed to load {what}: {path}: no PEM certificate in it");
        }

        return certificates;
    }

    private static string ReadFile(string path, string what)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var reason = ex switch
            {
                FileNotFoundException or DirectoryNotFoundException => "No such file or directory",
                UnauthorizedAccessException => "Permission denied",
                _ => ex.Message,
            };
            throw new TlsConfigurationException($"Failed to load {what}: {path}: {reason}", ex);
        }
    }
}
