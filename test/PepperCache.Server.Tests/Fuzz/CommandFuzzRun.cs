using System.Diagnostics;
using System.Globalization;
using CsCheck;

namespace PepperCache.Server.Tests.Fuzz;

/// <summary>
/// Runs an asynchronous property over generated inputs from one fixed seed, and reports what a fuzzer reports:
/// inputs, commands, crashes, hangs, memory. A failing input is handed to CsCheck's <c>SampleAsync</c> with its own
/// seed, which shrinks it and names the seed that replays it. Settings come from the environment, as for
/// PepperCache.Protocol.Tests' parser fuzzing: <c>FUZZ_ITERATIONS</c>, <c>FUZZ_SEED</c>, <c>FUZZ_HANG_SECONDS</c>
/// (a batch not answered within it is a hang; 30 by default) and <c>FUZZ_REPORT</c> (a file the summary line is appended to).
/// </summary>
internal static class CommandFuzzRun
{
    public const string DefaultSeed = "0000PepperFz";

    public static long Iterations(long defaultIterations) => long.TryParse(
        Environment.GetEnvironmentVariable("FUZZ_ITERATIONS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
        ? n
        : defaultIterations;

    public static string Seed => Environment.GetEnvironmentVariable("FUZZ_SEED") is { Length: > 0 } seed ? seed : DefaultSeed;

    public static TimeSpan HangBound => TimeSpan.FromSeconds(int.TryParse(
        Environment.GetEnvironmentVariable("FUZZ_HANG_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s > 0
        ? s
        : 30);

    public static async Task ExecuteAsync<T>(
        string target, Gen<T> gen, Func<T, Task> property, long iterations, Func<T, string> print, long memoryLimitBytes, Counters counters)
    {
        var pcg = PCG.Parse(Seed);
        var stopwatch = Stopwatch.StartNew();
        long peakHeap = 0;
        long done = 0;
        var crashes = 0;
        var hangs = 0;
        try
        {
            for (; done < iterations; done++)
            {
                var seed = pcg.ToString();
                var input = gen.Generate(pcg, null, out _);
                try
                {
                    await property(input);
                }
                catch (Exception ex)
                {
                    _ = ex is FuzzHangException ? hangs++ : crashes++;
                    throw new FuzzFailureException(await ShrinkAsync(gen, property, seed, print, ex, target), ex);
                }

                if ((done & 0xFF) == 0xFF)
                {
                    peakHeap = Math.Max(peakHeap, CheckMemory(memoryLimitBytes, target));
                }

                if ((done + 1) % 1000 == 0 && Environment.GetEnvironmentVariable("FUZZ_REPORT") is { Length: > 0 } progress)
                {
                    // A long run leaves a trace of how far it got, in case it is stopped before the end.
                    await File.AppendAllTextAsync(progress, string.Create(CultureInfo.InvariantCulture,
                        $"fuzz {target}: progress seed={Seed} inputs={done + 1} commands={counters.Commands} crashes=0 hangs=0 seconds={stopwatch.Elapsed.TotalSeconds:F0}{Environment.NewLine}"));
                }
            }

            peakHeap = Math.Max(peakHeap, CheckMemory(memoryLimitBytes, target));
        }
        finally
        {
            using var process = Process.GetCurrentProcess();
            var elapsed = stopwatch.Elapsed;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"fuzz {target}: seed={Seed} inputs={done} batches={counters.Batches} commands={counters.Commands} " +
                $"error-replies={counters.Errors} closed-by-server={counters.Closed} crashes={crashes} hangs={hangs} " +
                $"seconds={elapsed.TotalSeconds:F1} commands/s={counters.Commands / Math.Max(elapsed.TotalSeconds, 0.001):F0} " +
                $"peak-live-heap-mb={peakHeap / 1048576.0:F1} peak-working-set-mb={process.PeakWorkingSet64 / 1048576.0:F1}");
            TestContext.Current.TestOutputHelper?.WriteLine(line);
            if (Environment.GetEnvironmentVariable("FUZZ_REPORT") is { Length: > 0 } path)
            {
                await File.AppendAllTextAsync(path, line + Environment.NewLine);
            }
        }
    }

    /// <summary>Live managed heap, after a full collection when it looks high; above the limit, memory is not bounded.</summary>
    private static long CheckMemory(long limitBytes, string target)
    {
        var heap = GC.GetTotalMemory(forceFullCollection: false);
        if (heap > limitBytes / 2)
        {
            heap = GC.GetTotalMemory(forceFullCollection: true);
        }

        if (heap > limitBytes)
        {
            throw new FuzzFailureException($"{target}: live heap {heap:N0} bytes after a full collection, above the bound of {limitBytes:N0}", null);
        }

        return heap;
    }

    private static async Task<string> ShrinkAsync<T>(Gen<T> gen, Func<T, Task> property, string seed, Func<T, string> print, Exception first, string target)
    {
        var original = $"{target}: input with seed {seed} failed: {first.GetType().Name}: {first.Message}\n{print(gen.Generate(PCG.Parse(seed), null, out _))}";
        if (first is FuzzHangException)
        {
            // Each replay of a hang costs the whole bound: report it as found.
            return original;
        }

        try
        {
            await gen.SampleAsync(property, seed: seed, iter: 2_000, threads: 1, print: print);
        }
        catch (Exception shrunk)
        {
            return original + "\nShrunk by CsCheck:\n" + shrunk.Message;
        }

        return original + "\n(did not fail again when replayed)";
    }

    /// <summary>Totals over the run, for the report.</summary>
    internal sealed class Counters
    {
        public long Batches { get; private set; }

        public long Commands { get; private set; }

        public long Errors { get; private set; }

        public long Closed { get; private set; }

        public void Add(int commands, BatchResult result)
        {
            Batches++;
            Commands += commands;
            Errors += result.Errors;
            Closed += result.Closed ? 1 : 0;
        }
    }
}

/// <summary>A fuzz property failed: the message carries the input, its seed and the shrunk input.</summary>
internal sealed class FuzzFailureException(string message, Exception? inner) : Exception(message, inner);
