using PepperCache.Server.Hosting;
using PepperCache.Server.Http;

// Must precede any socket use: socket completions then run inline on the epoll thread (see docs/benchmarks.md).
Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

// Flags as the original tool's (-port 9004, --port=9004, --help); bad ones exit 2 with one line on stderr.
var arguments = ServerArguments.Parse(args);
if (arguments.ExitCode is { } exitCode)
{
    return exitCode;
}

// No reload of appsettings.json on change: its watcher covers the whole content root, data/ and the AOF included, so
// every AOF write woke it (an inotify read and lstat calls per few writes, on a third thread beside two cores' work).
// Live changes go through CONFIG SET. A later --hostBuilder:reloadConfigOnChange=true in the host arguments still wins.
var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. arguments.HostArguments]);
builder.AddPepperCache(arguments);

// Exit codes: 0 after SIGTERM/Ctrl-C, 1 when the node cannot start (port in use, data directory held by another node, bad settings).
return await builder.RunNodeAsync(static app => app.MapClusterApi());

/// <summary>The entry point, visible to <c>WebApplicationFactory&lt;Program&gt;</c> in tests.</summary>
public partial class Program;
