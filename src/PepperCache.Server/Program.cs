using PepperCache.Server.Hosting;
using PepperCache.Server.Http;

// Must precede any socket use: socket completions then run inline on the epoll thread (see docs/benchmarks.md).
Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

var arguments = ServerArguments.Parse(args);
if (arguments.ExitCode is { } exitCode)
{
    return exitCode;
}

var builder = WebApplication.CreateBuilder([.. arguments.HostArguments]);
builder.AddPepperCache(arguments);

var app = builder.Build();
app.MapClusterApi();
return await app.RunNodeAsync();

/// <summary>The entry point, visible to <c>WebApplicationFactory&lt;Program&gt;</c> in tests.</summary>
public partial class Program;
