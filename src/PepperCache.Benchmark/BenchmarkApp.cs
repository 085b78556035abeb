using PepperCache.Benchmark.Simulation;
using PepperCache.Client;

namespace PepperCache.Benchmark;

/// <summary>
/// pepper-benchmark's flow: read options, check every target answers PING, run each test against each target
/// (alternating targets round by round), then print and write the results.
/// </summary>
internal static class BenchmarkApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var parsed = OptionsParser.Parse(args);
        if (parsed.Options is null)
        {
            // The usage text ends with its own newline; an error is one line.
            if (parsed.MessageIsError)
            {
                error.WriteLine(parsed.Message);
            }
            else
            {
                output.Write(parsed.Message);
            }

            return parsed.ExitCode;
        }

        var interactive = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected && !parsed.Options.Quiet;
        try
        {
            if (parsed.Options.Simulates)
            {
                Simulate(parsed.Options, output);
                return 0;
            }

            var results = await RunAllAsync(parsed.Options, interactive ? new TerminalProgress(error) : null).ConfigureAwait(false);
            Report(parsed.Options, results, output);
            return 0;
        }
        catch (BenchmarkException e)
        {
            error.WriteLine($"error: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot write the results: {e.Message}");
            return 1;
        }
    }

    public static async Task<List<Summary>> RunAllAsync(BenchmarkOptions options, IProgressSink? progress)
    {
        foreach (var target in options.Targets)
        {
            await ProbeAsync(target, options.Timeout).ConfigureAwait(false);
        }

        var runner = new TestRunner(options, progress);
        var results = new List<RunResult>();
        foreach (var test in options.Tests)
        {
            if (options.Warmup > TimeSpan.Zero || options.WarmupRequests > 0)
            {
                foreach (var target in options.Targets)
                {
                    await (options.WarmupRequests > 0
                        ? runner.RunAsync(target, test, 0, null, options.WarmupRequests)
                        : runner.RunAsync(target, test, 0, options.Warmup, long.MaxValue)).ConfigureAwait(false);
                }
            }

            // A B A B ...: slow drift on a shared machine then lands on every target alike.
            for (var round = 1; round <= options.Rounds; round++)
            {
                foreach (var target in options.Targets)
                {
                    results.Add(await runner.RunAsync(target, test, round, options.Duration, options.Requests).ConfigureAwait(false));
                }
            }
        }

        return Summary.From(results, options.Targets);
    }

    private static void Report(BenchmarkOptions options, List<Summary> summaries, TextWriter output)
    {
        if (options.Csv)
        {
            CsvReport.Write(summaries, output);
        }
        else
        {
            TableReport.Write(options, summaries, output);
        }

        if (options.JsonFile is { } json)
        {
            File.WriteAllText(json, JsonReport.Write(options, summaries));
        }

        if (options.PlotFile is { } plot)
        {
            File.WriteAllText(plot, SvgPlot.Render(summaries));
        }
    }

    private static void Simulate(BenchmarkOptions options, TextWriter output)
    {
        var result = TraceSimulation.Run(options);
        if (options.Csv)
        {
            SimulationReport.WriteCsv(options, result, output);
        }
        else
        {
            SimulationReport.WriteText(options, result, output);
        }

        if (options.JsonFile is { } json)
        {
            File.WriteAllText(json, SimulationReport.Json(options, result));
        }
    }

    private static async Task ProbeAsync(Target target, TimeSpan timeout)
    {
        try
        {
            using var cancel = new CancellationTokenSource(timeout);
            await using var connection = await RespConnection.ConnectAsync(target.Host, target.Port, cancel.Token).ConfigureAwait(false);
            var reply = await connection.ExecuteAsync([[.. "PING"u8]], cancel.Token).ConfigureAwait(false);
            if (reply.IsError)
            {
                throw new BenchmarkException($"target {target.Name} ({target.EndPoint}) answered PING with an error: {reply.Text}");
            }
        }
        catch (RespConnectionException e)
        {
            throw new BenchmarkException($"target {target.Name} ({target.EndPoint}) is not reachable: {e.Message}", e);
        }
        catch (OperationCanceledException e)
        {
            throw new BenchmarkException($"target {target.Name} ({target.EndPoint}) did not answer PING within {timeout.TotalSeconds:0.#} s", e);
        }
    }
}

/// <summary>One line on stderr, rewritten in place; for terminals only.</summary>
internal sealed class TerminalProgress(TextWriter error) : IProgressSink
{
    public void Report(string target, TestKind test, double opsPerSecond, double fraction, TimeSpan? left)
    {
        var remaining = left is { } l ? $", {Math.Max(0, l.TotalSeconds):0.0} s left" : "";
        error.Write($"\r{test.ToString().ToUpperInvariant()} {target}: {opsPerSecond:N0} ops/s, {fraction:P0}{remaining}".PadRight(79));
    }

    public void Clear() => error.Write("\r" + new string(' ', 79) + "\r");
}
