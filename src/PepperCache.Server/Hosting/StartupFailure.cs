using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
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
        // appendonly.aof corrupt in the middle, or its directory unusable.
        Persistence.AofLoadException => true,
        // --aclfile missing or with a bad line.
        Acl.AclFileException => true,
        UnauthorizedAccessException => true,
        // Kestrel wraps the bind failure: IOException("Failed to bind to address ...") around AddressInUseException.
        IOException { InnerException: AddressInUseException } => true,
        IOException { InnerException: SocketException } => true,
        // Binding an address this machine does not have (--bind 10.9.9.9) surfaces unwrapped.
        SocketException { SocketErrorCode: SocketError.AddressNotAvailable or SocketError.AccessDenied } => true,
        _ => false,
    };

    public static string Describe(Exception exception) => exception switch
    {
        OptionsValidationException options => string.Join("; ", options.Failures),
        SocketException socket => "Failed to bind a listen address: " + socket.Message + " (check --bind and --node)",
        _ => exception.Message,
    };
}
