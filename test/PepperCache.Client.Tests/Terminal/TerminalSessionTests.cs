using System.Diagnostics;
using System.Globalization;
using System.Text;
using PepperCache.Client.Tests.Infrastructure;

namespace PepperCache.Client.Tests.Terminal;

/// <summary>
/// The built pepper-cli on a real pseudo-terminal (util-linux <c>script</c>), typed at key by key, with HOME in a
/// temporary directory so the history file can be checked.
/// </summary>
public sealed class TerminalSessionTests(PepperCacheNode node) : IClassFixture<PepperCacheNode>, IDisposable
{
    private readonly DirectoryInfo _home = Directory.CreateTempSubdirectory("pepper-cli-home-");

    [Fact]
    public async Task Keys_edit_complete_recall_history_and_Ctrl_C_and_Ctrl_D_behave()
    {
        await using var terminal = await PseudoTerminal.StartAsync(
            $"dotnet {Path.Combine(AppContext.BaseDirectory, "pepper-cli.dll")} -p {node.Port.ToString(CultureInfo.InvariantCulture)}",
            _home.FullName);

        await terminal.WaitForAsync("pepper-cli> ", 1);
        await terminal.TypeAsync("set term:k helo\e[Dl\r");                 // Left, then insert the missing l
        await terminal.WaitForAsync("pepper-cli> ", 2);
        await terminal.TypeAsync("getd\t");                                 // Tab completes GETDEL (GE would be GEOADD first)...
        await terminal.WaitForAsync("GETDEL", 1);
        await terminal.TypeAsync(" ");                                      // ...and its hint follows
        await terminal.WaitForAsync("\e[90mkey\e[0m", 1);
        await terminal.TypeAsync("term:k\r");
        await terminal.WaitForAsync("pepper-cli> ", 3);
        await terminal.TypeAsync("\e[A\e[A\x01\e[C\e[C\e[C\x7f\x7f\x7fincr\r");     // Up twice, Home, 3 x Right, 3 x Backspace
        await terminal.WaitForAsync("pepper-cli> ", 4);
        await terminal.TypeAsync("flushall");
        await terminal.WaitForAsync("flushall", 1);                         // drawn: the editor waits for the next key
        await terminal.TypeAsync("\x03");                                   // Ctrl-C drops the line
        await terminal.WaitForAsync("pepper-cli> ", 5);
        await terminal.TypeAsync("\x04");                                   // Ctrl-D on an empty line ends the session
        var exitCode = await terminal.WaitForExitAsync();

        var screen = terminal.Output;
        Assert.Equal(0, exitCode);
        Assert.Contains("OK\r\n", screen, StringComparison.Ordinal);
        Assert.Contains("hello\r\n", screen, StringComparison.Ordinal);
        Assert.Contains("(error) ERR wrong number of arguments for 'incr' command\r\n", screen, StringComparison.Ordinal);
        Assert.Contains("^C\r\n", screen, StringComparison.Ordinal);
        Assert.EndsWith("goodbye!\r\n", screen, StringComparison.Ordinal);
        Assert.Equal(
            "set term:k hello\nGETDEL term:k\nincr term:k hello\n",
            await File.ReadAllTextAsync(Path.Combine(_home.FullName, ".pepper_cli_history"), TestContext.Current.CancellationToken));
    }

    public void Dispose() => _home.Delete(recursive: true);

    private sealed class PseudoTerminal : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private Task _pump = Task.CompletedTask;

        private PseudoTerminal(Process process) => _process = process;

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public static async Task<PseudoTerminal> StartAsync(string command, string home)
        {
            var start = new ProcessStartInfo("script")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { "--quiet", "--flush", "--return", "--command", command, "/dev/null" })
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["HOME"] = home;
            start.Environment["TERM"] = "xterm";
            Process process;
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException("script did not start");
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException($"util-linux 'script' (Debian's essential bsdutils package) is needed: {e.Message}", e);
            }

            var terminal = new PseudoTerminal(process);
            terminal._process.ErrorDataReceived += (_, _) => { };
            terminal._process.BeginErrorReadLine();
            terminal._pump = terminal.PumpAsync();
            await Task.Yield();
            return terminal;
        }

        public async Task TypeAsync(string keys)
        {
            await _process.StandardInput.WriteAsync(keys);
            await _process.StandardInput.FlushAsync();
        }

        /// <summary>Waits until <paramref name="text"/> has appeared <paramref name="count"/> times: at most 15 s.</summary>
        public async Task WaitForAsync(string text, int count)
        {
            for (var attempt = 0; attempt < 300; attempt++)
            {
                if (Occurrences(Output, text) >= count)
                {
                    return;
                }

                await Task.Delay(50);
            }

            throw new TimeoutException($"\"{text}\" did not appear {count} times; the screen:\n{Output}");
        }

        public async Task<int> WaitForExitAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _process.WaitForExitAsync(timeout.Token);
            // The last output may still be in the pump: it ends when the terminal's output does.
            await _pump.WaitAsync(timeout.Token);
            return _process.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        private static int Occurrences(string text, string part)
        {
            var count = 0;
            for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
            {
                count++;
            }

            return count;
        }

        private async Task PumpAsync()
        {
            var buffer = new char[4096];
            int read;
            while ((read = await _process.StandardOutput.ReadAsync(buffer)) > 0)
            {
                lock (_output)
                {
                    _output.Append(buffer, 0, read);
                }
            }
        }
    }
}
