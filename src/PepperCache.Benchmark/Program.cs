return await PepperCache.Benchmark.BenchmarkApp.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
