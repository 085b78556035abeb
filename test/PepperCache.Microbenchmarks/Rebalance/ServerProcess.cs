using System.Diagnostics;
using System.Globalization;

namespace PepperCache.Microbenchmarks.Rebalance;

/// <summary>
/// One PepperCache.Server process of the rebalance benchmark, started through <c>/bin/sh -c 'exec ...'</c> so its
/// output goes to a log file and its pid is the server's own. The pid is appended to a file first thing, so the
/// calling script can kill exactly the processes started here even if this driver dies.
/// </summary>
internal sealed class ServerProcess : IDisposable
{
    // USER_HZ: the unit of /proc/<pid>/stat's utime and stime; 100 on every Linux build .NET runs on.
    private const double ClockTicksPerSecond = 100;

    private readonly Process _process;

    private ServerProcess(string name, int port, int adminPort, string logPath, Process process)
    {
        Name = name;
        Port = port;
        AdminPort = adminPort;
        LogPath = logPath;
        _process = process;
    }

    public string Name { get; }

    public int Port { get; }

    public int AdminPort { get; }

    public string LogPath { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public static ServerProcess Start(string serverPath, string workDirectory, string pidFile, string name, int port, int adminPort, string? seed)
    {
        var directory = Path.Combine(workDirectory, name);
        Directory.CreateDirectory(directory);
        var logPath = Path.Combine(directory, "server.log");
        var arguments = new List<string>
        {
            serverPath, "--node", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--admin-port", adminPort.ToString(CultureInfo.InvariantCulture), "--appendonly", "no", "--dir", directory,
        };
        if (seed is not null)
        {
            arguments.AddRange(["--cluster", seed]);
        }

        // Extra flags or configuration keys for every node, e.g. --Serilog:MinimumLevel:Override:PepperCache.Server.Cluster=Debug.
        arguments.AddRange((Environment.GetEnvironmentVariable("PEPPER_SERVER_ARGS") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries));

        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$@\" >\"$0\" 2>&1 </dev/null");
        start.ArgumentList.Add(logPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {serverPath}");
        File.AppendAllText(pidFile, process.Id.ToString(CultureInfo.InvariantCulture) + "\n");
        return new ServerProcess(name, port, adminPort, logPath, process);
    }

    /// <summary>User plus system CPU time the process has used so far.</summary>
    public double CpuSeconds()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        // The command name (field 2) is in parentheses and may hold spaces; fields 14 and 15 follow it.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / ClockTicksPerSecond;
    }

    /// <summary>SIGKILL: a SIGTERM would make the node leave gracefully, moving its slots again.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
