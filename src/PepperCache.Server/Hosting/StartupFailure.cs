using Microsoft.Extensions.Options;

namespace PepperCache.Server.Hosting;

/// <summary>
/// The ways a node fails to start that are the operator's to fix (a port in use, settings out of range). They are
/// reported as one line, not as an exception with a stack trace.
/// </summary>
internal static class StartupFailure
{
    public static bool IsExpected(Exception? exception) => exception switch
    {
        OptionsValidationException => true,
        // A port in use, or an address this machine does not have (--bind 10.9.9.9): NodeEndpoints says which port.
        PortUnavailableException => true,
        // Another node (or --aof-fix) holds the data directory: DataDirectoryLock names it.
        DataDirectoryInUseException => true,
        // appendonly.aof corrupt in the middle, or its directory unusable.
        Persistence.AofLoadException => true,
        // --aclfile missing or with a bad line.
        Acl.AclFileException => true,
        UnauthorizedAccessException => true,
        // A TLS file missing or unreadable, or a key that is not the certificate's.
        Tls.TlsConfigurationException => true,
        // Not even one client fits in the open-files limit (Redis exits with the same words).
        Resp.DescriptorLimitException => true,
        _ => false,
    };

    public static string Describe(Exception exception) => exception switch
    {
        OptionsValidationException options => string.Join("; ", options.Failures),
        _ => exception.Message,
    };
}
