using BenchmarkDotNet.Running;
using PepperCache.Microbenchmarks;
using PepperCache.Microbenchmarks.Rebalance;

if (args is ["rebalance", .. var rest])
{
    return await RebalanceBenchmark.RunAsync(rest);
}

BenchmarkSwitcher.FromAssembly(typeof(CommandPathBenchmarks).Assembly).Run(args);
return 0;
