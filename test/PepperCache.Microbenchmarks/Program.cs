using BenchmarkDotNet.Running;
using PepperCache.Microbenchmarks;

BenchmarkSwitcher.FromAssembly(typeof(CommandPathBenchmarks).Assembly).Run(args);
