namespace PepperCache.Benchmark;

/// <summary>The entry point (a named class rather than top-level statements: tests load this beside the server's Program).</summary>
internal static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        // Socket completions run inline on the epoll thread instead of hopping to the thread pool: for a load generator
        // whose per-reply work is tiny, the hop costs more than the work (measured: ~30% less CPU per request at -P 1).
        // The runtime reads this when the first socket is created, so it is set before anything else runs.
        if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
        {
            Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
        }

        return await BenchmarkApp.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
    }
}
