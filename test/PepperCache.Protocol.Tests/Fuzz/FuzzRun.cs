using System.Diagnostics;
using System.Globalization;
using CsCheck;

namespace PepperCache.Protocol.Tests.Fuzz;

/// <summary>
/// Runs a property over generated inputs from one fixed seed, so the default run is the same inputs every time, and
/// reports what a fuzzer reports: inputs, crashes, hangs, memory. A failing input is handed to CsCheck's
/// <c>Sample</c> with its own seed, which shrinks it to a small one and names the seed that replays it.
/// </summary>
/// <remarks>
/// Settings come from the environment so the same test is the quick default run and the long run (bench/fuzz.sh):
/// <c>FUZZ_ITERATIONS</c> (inputs), <c>FUZZ_SEED</c> (a CsCheck seed string), <c>FUZZ_HANG_SECONDS</c> (one input
/// running longer is a hang) and <c>FUZZ_REPORT</c> (a file each run appends its summary line to).
/// </remarks>
internal static class FuzzRun
{
    /// <summary>The seed of the default run: any fixed CsCheck seed string.</summary>
    public const string DefaultSeed = "0000PepperFz";

    public static long Iterations(long defaultIterations) => long.TryParse(
        Environment.GetEnvironmentVariable("FUZZ_ITERATIONS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
        ? n
        : defaultIterations;

    public static string Seed => Environment.GetEnvironmentVariable("FUZZ_SEED") is { Length: > 0 } seed ? seed : DefaultSeed;

    public static TimeSpan HangBound => TimeSpan.FromSeconds(int.TryParse(
        Environment.GetEnvironmentVariable("FUZZ_HANG_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s > 0
        ? s
        : 60);

    /// <summary>
    /// Checks <paramref name="property"/> on <paramref name="iterations"/> inputs of <paramref name="gen"/>. A hang
    /// (one input past <see cref="HangBound"/>) cannot be interrupted in synchronous code: the watchdog writes the
    /// input's seed and ends the process, as libFuzzer's <c>-timeout</c> does.
    /// </summary>
    public static void Execute<T>(string target, Gen<T> gen, Action<T> property, long iterations, Func<T, string> print, long memoryLimitBytes)
    {
        var pcg = PCG.Parse(Seed);
        var stopwatch = Stopwatch.StartNew();
        long peakHeap = 0;
        var current = new CurrentInput();
        using var watchdog = new Watchdog(current, HangBound, target);
        string? failure = null;
        long done = 0;
        try
        {
            for (; done < iterations; done++)
            {
                var seed = pcg.ToString();
                var input = gen.Generate(pcg, null, out _);
                current.Begin(seed);
                try
                {
                    property(input);
                }
                catch (Exception ex)
                {
                    failure = Shrink(gen, property, seed, print, ex, target);
                    throw new FuzzFailureException(failure, ex);
                }
                finally
                {
                    current.End();
                }

                if ((done & 0xFFFF) == 0xFFFF)
                {
                    peakHeap = Math.Max(peakHeap, CheckMemory(memoryLimitBytes, target));
                }
            }

            peakHeap = Math.Max(peakHeap, CheckMemory(memoryLimitBytes, target));
        }
        finally
        {
            Report(target, done, failure, stopwatch.Elapsed, peakHeap);
        }
    }

    /// <summary>Live managed heap after a full collection; above the limit, memory is not bounded.</summary>
    internal static long CheckMemory(long limitBytes, string target)
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

    private static string Shrink<T>(Gen<T> gen, Action<T> property, string seed, Func<T, string> print, Exception first, string target)
    {
        var original = $"{target}: input with seed {seed} failed: {first.GetType().Name}: {first.Message}\n{print(gen.Generate(PCG.Parse(seed), null, out _))}";
        try
        {
            // Starts from the failing seed, then looks for smaller failing inputs.
            gen.Sample(property, seed: seed, iter: 20_000, threads: 1, print: print);
        }
        catch (Exception shrunk)
        {
            return original + "\nShrunk by CsCheck:\n" + shrunk.Message;
        }

        return original + "\n(did not fail again when replayed)";
    }

    private static void Report(string target, long inputs, string? failure, TimeSpan elapsed, long peakHeap)
    {
        using var process = Process.GetCurrentProcess();
        var line = string.Create(CultureInfo.InvariantCulture,
            $"fuzz {target}: seed={Seed} inputs={inputs} crashes={(failure is null ? 0 : 1)} hangs=0 seconds={elapsed.TotalSeconds:F1} " +
            $"inputs/s={inputs / Math.Max(elapsed.TotalSeconds, 0.001):F0} peak-live-heap-mb={peakHeap / 1048576.0:F1} " +
            $"peak-working-set-mb={process.PeakWorkingSet64 / 1048576.0:F1}");
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        if (Environment.GetEnvironmentVariable("FUZZ_REPORT") is { Length: > 0 } path)
        {
            File.AppendAllText(path, line + Environment.NewLine);
        }
    }

    /// <summary>The input under test and when it started, for the watchdog.</summary>
    private sealed class CurrentInput
    {
        private string? _seed;
        private long _startedAt;

        public void Begin(string seed)
        {
            _seed = seed;
            Volatile.Write(ref _startedAt, Stopwatch.GetTimestamp());
        }

        public void End() => Volatile.Write(ref _startedAt, 0);

        public (string? Seed, long StartedAt) Read() => (_seed, Volatile.Read(ref _startedAt));
    }

    /// <summary>A thread that wakes every second and ends the process when one input has run past the bound.</summary>
    private sealed class Watchdog : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;

        public Watchdog(CurrentInput current, TimeSpan bound, string target)
        {
            _thread = new Thread(() =>
            {
                while (!_stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(1)))
                {
                    var (seed, startedAt) = current.Read();
                    if (startedAt != 0 && Stopwatch.GetElapsedTime(startedAt) > bound)
                    {
                        var message = $"fuzz {target}: HANG: input with seed {seed} ran longer than {bound.TotalSeconds:F0} s";
                        Console.Error.WriteLine(message);
                        if (Environment.GetEnvironmentVariable("FUZZ_REPORT") is { Length: > 0 } path)
                        {
                            File.AppendAllText(path, message + Environment.NewLine);
                        }

                        Environment.FailFast(message);
                    }
                }
            })
            { IsBackground = true, Name = "fuzz watchdog" };
            _thread.Start();
        }

        public void Dispose()
        {
            _stop.Cancel();
            _thread.Join();
            _stop.Dispose();
        }
    }
}

/// <summary>A fuzz property failed: the message carries the input, its seed and the shrunk input.</summary>
internal sealed class FuzzFailureException(string message, Exception? inner) : Exception(message, inner);
