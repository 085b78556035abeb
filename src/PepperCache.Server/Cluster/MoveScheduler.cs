using System.Runtime.InteropServices;

namespace PepperCache.Server.Cluster;

/// <summary>
/// Runs a slot move's CPU-heavy passes (export and import encoding of a pre-copy, dropping handed-over keys) on one
/// dedicated thread whose Linux nice value is raised, so that when the machine is busy the socket threads serving
/// clients win the CPU and the move takes what they leave. A thread may lower its own priority without privileges
/// (<c>setpriority(PRIO_PROCESS, tid, n)</c>); elsewhere than Linux, or when it fails, the thread runs at normal
/// priority. See docs/cluster.md, "Issue 15: client GETs during a move".
/// </summary>
internal sealed class MoveScheduler : TaskScheduler
{
    /// <summary>
    /// The nice value of the move thread; 0 runs the passes on the thread pool as before. The environment variable
    /// <c>PEPPER_MOVE_NICE</c> overrides it, for measuring (bench/rebalance.sh).
    /// </summary>
    internal const int DefaultNice = 19;

    /// <summary>The one scheduler of the process (moves to several targets share its thread), or null when disabled.</summary>
    internal static readonly MoveScheduler? Shared = Create();

    private readonly Queue<Task> _queue = new();
    private readonly object _gate = new();
    private readonly int _nice;

    private MoveScheduler(int nice)
    {
        _nice = nice;
        var thread = new Thread(Run) { IsBackground = true, Name = "Pepper slot move" };
        thread.Start();
    }

    /// <summary>Runs <paramref name="work"/> on the move thread (or inline when disabled).</summary>
    internal static Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken) =>
        Shared is null ? Task.FromResult(work()) : Task.Factory.StartNew(work, cancellationToken, TaskCreationOptions.DenyChildAttach, Shared);

    /// <summary>Runs <paramref name="work"/> on the move thread (or inline when disabled).</summary>
    /// <param name="work">The pass.</param>
    /// <param name="light">The pass has nothing worth yielding the CPU for (no keys): it runs inline, since a busy machine starves the move thread.</param>
    internal static Task RunAsync(Action work, bool light = false)
    {
        if (Shared is null || light)
        {
            work();
            return Task.CompletedTask;
        }

        return Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.DenyChildAttach, Shared);
    }

    /// <summary>Starts <paramref name="work"/> on the move thread: its synchronous part runs there, its continuations wherever they complete.</summary>
    /// <param name="work">The pass.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <param name="light">The pass has nothing worth yielding the CPU for (no keys): it starts on the thread pool, since a busy machine starves the move thread.</param>
    internal static Task<T> StartAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken, bool light = false) =>
        Shared is null || light ? Task.Run(work, cancellationToken) : Task.Factory.StartNew(work, cancellationToken, TaskCreationOptions.DenyChildAttach, Shared).Unwrap();

    /// <summary>
    /// Whether the move thread also lowers the runtime's tier-up compilation workers (threads named ".NET Tiered
    /// Compilation Worker") before its passes, at most every 200 ms, at the old owners and (<see cref="NoteImport"/>) the target: a move wakes code that ran rarely, and its
    /// recompilation took about half of the machine during a move, at normal priority. A thread cannot raise its
    /// priority back without privileges, so a worker stays lowered until the runtime retires it when idle.
    /// <c>PEPPER_MOVE_NICE_JIT=0</c> leaves them alone, for measuring.
    /// </summary>
    private static readonly bool NiceJit = Environment.GetEnvironmentVariable("PEPPER_MOVE_NICE_JIT") != "0";
    private long _jitNicedAt;

    /// <summary>
    /// Called by <c>PEPPER.IMPORT</c> at the target of a move, which, a process often seconds old, compiles the most:
    /// at most every 200 ms, has the move thread lower the JIT's workers there too. Costs a clock read otherwise.
    /// </summary>
    internal static void NoteImport()
    {
        if (Shared is { } scheduler && NiceJit && Environment.TickCount64 - Volatile.Read(ref scheduler._jitNicedAt) >= 200)
        {
            _ = RunAsync(() => { });
        }
    }

    private void NiceJitWorkers()
    {
        var now = Environment.TickCount64;
        if (!NiceJit || !OperatingSystem.IsLinux() || now - Volatile.Read(ref _jitNicedAt) < 200)
        {
            return;
        }

        Volatile.Write(ref _jitNicedAt, now);
        try
        {
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                string comm;
                try
                {
                    comm = File.ReadAllText(Path.Combine(task, "comm"));
                }
                catch (IOException)
                {
                    continue;
                }

                if (comm.StartsWith(".NET Tiered Com", StringComparison.Ordinal) && int.TryParse(Path.GetFileName(task), out var tid))
                {
                    _ = NativeMethods.setpriority(PrioProcess, tid, _nice);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException)
        {
            // Best effort, as for the move thread itself.
        }
    }

    private static MoveScheduler? Create()
    {
        var nice = DefaultNice;
        if (int.TryParse(Environment.GetEnvironmentVariable("PEPPER_MOVE_NICE"), out var configured))
        {
            nice = Math.Clamp(configured, 0, 19);
        }

        return nice == 0 ? null : new MoveScheduler(nice);
    }

    private void Run()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                // Best effort: a failure leaves the thread at normal priority, which is how moves ran before.
                _ = NativeMethods.setpriority(PrioProcess, NativeMethods.gettid(), _nice);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
            }
        }

        // The thread lives as long as the process (a background thread), like the socket engine's.
        while (true)
        {
            Task task;
            lock (_gate)
            {
                while (_queue.Count == 0)
                {
                    Monitor.Wait(_gate);
                }

                task = _queue.Dequeue();
            }

            NiceJitWorkers();
            TryExecuteTask(task);
        }
    }

    protected override void QueueTask(Task task)
    {
        lock (_gate)
        {
            _queue.Enqueue(task);
            Monitor.Pulse(_gate);
        }
    }

    // Never inline: a caller on a normal-priority thread would run the work at its priority.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task> GetScheduledTasks()
    {
        lock (_gate)
        {
            return _queue.ToArray();
        }
    }

    private const int PrioProcess = 0;

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int gettid();

        [DllImport("libc", SetLastError = true)]
        public static extern int setpriority(int which, int who, int prio);
    }
}
