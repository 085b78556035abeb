using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// The built server as a real child process (<c>dotnet PepperCache.Server.dll ...</c>), for what only a process
/// shows: exit codes, stdout/stderr, signals. The dll is the one the test project copies beside itself, so the
/// process tests always run the code under test. Each process gets its own empty working directory, so no stray
/// appsettings.json is read unless a test writes one there.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _ownsWorkingDirectory;

    private NodeProcess(Process process, string workingDirectory, bool ownsWorkingDirectory)
    {
        _process = process;
        WorkingDirectory = workingDirectory;
        _ownsWorkingDirectory = ownsWorkingDirectory;
    }

    /// <summary>Path of the server assembly under test.</summary>
    public static string ServerAssemblyPath => typeof(Program).Assembly.Location;

    public int Id => _process.Id;

    /// <summary>Where the node runs: its default data directory (<c>data/&lt;node&gt;-&lt;port&gt;</c>) would be made here.</summary>
    public string WorkingDirectory { get; }

    public IReadOnlyList<string> StandardOutput
    {
        get
        {
            lock (_gate)
            {
                return [.. _stdout];
            }
        }
    }

    public IReadOnlyList<string> StandardError
    {
        get
        {
            lock (_gate)
            {
                return [.. _stderr];
            }
        }
    }

    /// <summary>
    /// Starts the server with <paramref name="arguments"/>; <paramref name="appSettingsJson"/> becomes its
    /// appsettings.json. It runs in a new empty directory (deleted on dispose) unless given <paramref name="workingDirectory"/>.
    /// </summary>
    /// <param name="launcher">A command the node is started through, such as <c>prlimit --nofile=400:400</c>; it must exec the node, keeping its process id.</param>
    /// <param name="command">
    /// What runs the node instead of <c>dotnet</c> and the server assembly under test: an installed
    /// <c>peppercache-server</c> tool, or the container's entrypoint script.
    /// </param>
    public static NodeProcess Start(
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null,
        string? appSettingsJson = null,
        string? workingDirectory = null,
        IReadOnlyList<string>? launcher = null,
        IReadOnlyList<string>? command = null)
    {
        var ownsWorkingDirectory = workingDirectory is null;
        workingDirectory ??= Directory.CreateTempSubdirectory("peppercache-node-").FullName;
        if (appSettingsJson is not null)
        {
            File.WriteAllText(Path.Combine(workingDirectory, "appsettings.json"), appSettingsJson);
        }

        string[] words = [.. launcher ?? [], .. command is { Count: > 0 } ? command : [DotnetHost, ServerAssemblyPath]];
        var start = new ProcessStartInfo(words[0])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        foreach (var word in words.Skip(1))
        {
            start.ArgumentList.Add(word);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The child must not inherit settings meant for this test process (or a developer's shell).
        foreach (var name in start.Environment.Keys.Where(IsNodeSetting).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var node = new NodeProcess(process, workingDirectory, ownsWorkingDirectory);
        process.OutputDataReceived += (_, e) => node.Append(node._stdout, node._stdoutClosed, e.Data);
        process.ErrorDataReceived += (_, e) => node.Append(node._stderr, node._stderrClosed, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>
    /// A loopback port nobody listens on right now, for a node that must be started on a known port (its default
    /// data directory, or a seed started after its joiner). It is released before the node binds it, so another
    /// process could take it first: unlikely, and the node would then fail to start.
    /// </summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts a node on free ports (port 0) and waits until it reports them bound.</summary>
    public static Task<(NodeProcess Node, IPEndPoint Resp, IPEndPoint Admin)> StartOnFreePortsAsync(params string[] extraArguments) =>
        StartOnFreePortsAsync(null, extraArguments);

    /// <summary>As <see cref="StartOnFreePortsAsync(string[])"/>, through <paramref name="launcher"/> (see <see cref="Start"/>).</summary>
    public static async Task<(NodeProcess Node, IPEndPoint Resp, IPEndPoint Admin)> StartOnFreePortsAsync(IReadOnlyList<string>? launcher, params string[] extraArguments)
    {
        var node = Start(["--port", "0", "--admin-port", "0", .. extraArguments], launcher: launcher);
        try
        {
            var resp = await node.WaitForPortAsync("Cache Port: ");
            var admin = await node.WaitForPortAsync("Admin Port: ");
            return (node, new IPEndPoint(IPAddress.Loopback, resp), new IPEndPoint(IPAddress.Loopback, admin));
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits (bounded) for a stdout line that contains <paramref name="text"/> and returns it.</summary>
    public async Task<string> WaitForOutputAsync(string text)
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (true)
        {
            var line = StandardOutput.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (line is not null)
            {
                return line;
            }

            if (_process.HasExited && _stdoutClosed.Task.IsCompleted)
            {
                throw new InvalidOperationException(
                    $"The node exited ({_process.ExitCode}) without printing '{text}'.\nstdout:\n{string.Join('\n', StandardOutput)}\nstderr:\n{string.Join('\n', StandardError)}");
            }

            await Task.Delay(50, cts.Token);
        }
    }

    /// <summary>Waits (bounded) for the process to exit, with its output fully read, and returns the exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            // Say what was still waited for: the process (and its state in the kernel), or its output's end.
            throw new TimeoutException(
                $"node {Id} did not exit within {Timeout.TotalSeconds} s: exited {_process.HasExited}, stdout closed " +
                $"{_stdoutClosed.Task.IsCompleted}, stderr closed {_stderrClosed.Task.IsCompleted}, {KernelState(Id)}");
        }

        return _process.ExitCode;
    }

    /// <summary>The process's state and wait channel from /proc (a zombie, or stuck in the kernel), when it is still there.</summary>
    private static string KernelState(int pid)
    {
        try
        {
            var status = File.ReadAllLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("State:", StringComparison.Ordinal));
            var wchan = File.Exists($"/proc/{pid}/wchan") ? File.ReadAllText($"/proc/{pid}/wchan") : "?";
            return $"/proc: {status}, wchan {wchan}";
        }
        catch (IOException)
        {
            return "/proc: gone";
        }
        catch (UnauthorizedAccessException)
        {
            return "/proc: not readable";
        }
    }

    /// <summary>Sends a signal (<c>TERM</c> as a service manager or <c>docker stop</c>; <c>INT</c> as Ctrl-C).</summary>
    public async Task SendSignalAsync(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })
                         ?? throw new InvalidOperationException("could not run kill");
        await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, kill.ExitCode);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (!_ownsWorkingDirectory)
        {
            return;
        }

        try
        {
            Directory.Delete(WorkingDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    /// <summary>The dotnet host that runs this test process's SDK, else the one on PATH.</summary>
    internal static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path)
        ? path
        : "dotnet";

    private static bool IsNodeSetting(string name) =>
        name.StartsWith("PEPPER_", StringComparison.OrdinalIgnoreCase) ||
        name.StartsWith("PepperCache__", StringComparison.OrdinalIgnoreCase) ||
        name.StartsWith("Serilog__", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads the number after <paramref name="label"/> in the node's start-up log.</summary>
    public async Task<int> WaitForPortAsync(string label)
    {
        var line = await WaitForOutputAsync(label);
        return int.Parse(line[(line.IndexOf(label, StringComparison.Ordinal) + label.Length)..].Trim(), CultureInfo.InvariantCulture);
    }

    private void Append(List<string> lines, TaskCompletionSource closed, string? line)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }

        lock (_gate)
        {
            lines.Add(line);
        }
    }
}
