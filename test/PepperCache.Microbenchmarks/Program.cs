using BenchmarkDotNet.Running;
using PepperCache.Microbenchmarks;

if (args is ["rebalance", .. var rest])
{
    // As the server's Program: socket completions inline (must precede any socket use).
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
    return await RebalanceBenchmark.RunAsync(rest);
}

BenchmarkSwitcher.FromAssembly(typeof(CommandPathBenchmarks).Assembly).Run(args);
return 0;
