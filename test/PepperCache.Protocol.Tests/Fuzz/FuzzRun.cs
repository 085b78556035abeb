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
/// <c>FUZZ_ITERATIONS</c> (inputs), <c>FUZZ_SEED</c> (a CsCheck seed string), <c>FUZZ_THREADS</c>, <c>FUZZ_HANG_SECONDS</c> (one input
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

    /// <summary>Worker threads (<c>FUZZ_THREADS</c>, 1 by default): input i goes to thread i mod n; the inputs do not change.</summary>
    public static int Threads => int.TryParse(
        Environment.GetEnvironmentVariable("FUZZ_THREADS"), NumberStyles.None, CultureInfo.InvariantCulture, out var t) && t > 0
        ? t
        : 1;

    /// <summary>
    /// The generator state of input <paramref name="index"/>: derived from the run's seed and the index alone, so an
    /// input is the same whatever the thread count, and its seed string replays it in CsCheck.
    /// </summary>
    public static PCG InputState(PCG root, long index) => new(root.Stream, root.Seed + ((ulong)index * 0x9E3779B97F4A7C15UL));

    /// <summary>
    /// Checks <paramref name="property"/> on <paramref name="iterations"/> inputs of <paramref name="gen"/>. A hang
    /// (one input past <see cref="HangBound"/>) cannot be interrupted in synchronous code: the watchdog writes the
    /// input's seed and ends the process, as libFuzzer's <c>-timeout</c> does.
    /// </summary>
    public static void Execute<T>(string target, Gen<T> gen, Action<T> property, long iterations, Func<T, string> print, long memoryLimitBytes)
    {
        var root = PCG.Parse(Seed);
        var stopwatch = Stopwatch.StartNew();
        var threads = Threads;
        var current = Enumerable.Range(0, threads).Select(_ => new CurrentInput()).ToArray();
        using var watchdog = new Watchdog(current, HangBound, target);
        string? failure = null;
        Exception? failed = null;
        long done = 0;
        long peakHeap = 0;
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            for (long i = t; i < iterations && Volatile.Read(ref failed) is null; i += threads)
            {
                var pcg = InputState(root, i);
                var seed = pcg.ToString();
                var input = gen.Generate(pcg, null, out _);
                current[t].Begin(seed);
                try
                {
                    property(input);
                }
                catch (Exception ex)
                {
                    if (Interlocked.CompareExchange(ref failed, ex, null) is null)
                    {
                        failure = Shrink(gen, property, seed, print, ex, target);
                    }

                    return;
                }
                finally
                {
                    current[t].End();
                }

                var count = Interlocked.Increment(ref done);
                if ((count & 0xFFFF) == 0)
                {
                    InterlockedMax(ref peakHeap, CheckMemory(memoryLimitBytes, target));
                }

                if (count % 1_000_000 == 0)
                {
                    // A long run leaves a trace of how far it got, in case it is stopped before the end.
                    Progress(target, count, stopwatch.Elapsed);
                }
            }
        })
        { Name = "fuzz worker " + t, IsBackground = true }).ToList();
        try
        {
            workers.ForEach(w => w.Start());
            workers.ForEach(w => w.Join());
            if (failed is not null)
            {
                throw new FuzzFailureException(failure ?? failed.Message, failed);
            }

            InterlockedMax(ref peakHeap, CheckMemory(memoryLimitBytes, target));
        }
        finally
        {
            Report(target, done, failure ?? failed?.Message, stopwatch.Elapsed, peakHeap, threads);
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var previous && previous != seen)
        {
            seen = previous;
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

    private static void Report(string target, long inputs, string? failure, TimeSpan elapsed, long peakHeap, int threads)
    {
        using var process = Process.GetCurrentProcess();
        var line = string.Create(CultureInfo.InvariantCulture,
            $"fuzz {target}: seed={Seed} threads={threads} inputs={inputs} crashes={(failure is null ? 0 : 1)} hangs=0 seconds={elapsed.TotalSeconds:F1} " +
            $"inputs/s={inputs / Math.Max(elapsed.TotalSeconds, 0.001):F0} peak-live-heap-mb={peakHeap / 1048576.0:F1} " +
            $"peak-working-set-mb={process.PeakWorkingSet64 / 1048576.0:F1}");
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        if (Environment.GetEnvironmentVariable("FUZZ_REPORT") is { Length: > 0 } path)
        {
            File.AppendAllText(path, line + Environment.NewLine);
        }
    }

    private static void Progress(string target, long inputs, TimeSpan elapsed)
    {
        if (Environment.GetEnvironmentVariable("FUZZ_REPORT") is { Length: > 0 } path)
        {
            File.AppendAllText(path, string.Create(CultureInfo.InvariantCulture,
                $"fuzz {target}: progress seed={Seed} inputs={inputs} crashes=0 hangs=0 seconds={elapsed.TotalSeconds:F0}{Environment.NewLine}"));
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

        public Watchdog(CurrentInput[] inputs, TimeSpan bound, string target)
        {
            _thread = new Thread(() =>
            {
                while (!_stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(1)))
                {
                    foreach (var (seed, startedAt) in inputs.Select(i => i.Read()))
                    {
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
