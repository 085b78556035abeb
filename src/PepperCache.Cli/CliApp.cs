using System.Globalization;
using System.Text;
using PepperCache.Cli.Terminal;
using PepperCache.Protocol;

namespace PepperCache.Cli;

/// <summary>
/// pepper-cli's behaviour, apart from the console so tests can drive it with their own reader and writers.
/// </summary>
internal sealed class CliApp(CliOptions options, TextWriter output, TextWriter error) : IAsyncDisposable
{
    private const string Prompt = "pepper-cli> ";
    private static readonly byte[][] CommandDocs = ["COMMAND"u8.ToArray(), "DOCS"u8.ToArray()];

    private readonly CliConnection _connection = new(options, error);
    private bool _catalogLoaded;

    /// <summary>Runs pepper-cli and returns its exit code.</summary>
    /// <param name="interactive">Whether stdin is a terminal: then a welcome, prompts and a goodbye are shown.</param>
    /// <param name="terminal">Line editing on the real console; null reads <paramref name="input"/> as it comes.</param>
    public static async Task<int> RunAsync(
        IReadOnlyList<string> args, TextReader input, TextWriter output, TextWriter error, bool interactive, TerminalLineReader? terminal = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var options = CliOptions.Parse(args, out var flagError);
        if (options is null)
        {
            // One line, as the server and pepper-benchmark report a bad flag.
            await error.WriteLineAsync($"error: {flagError} (see --help)").ConfigureAwait(false);
            return 2;
        }

        if (options.Help)
        {
            await output.WriteLineAsync(CliOptions.Usage).ConfigureAwait(false);
            return 0;
        }

        if (options.Password is not null && !options.NoAuthWarning)
        {
            await error.WriteLineAsync("Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.").ConfigureAwait(false);
        }

        await using var app = new CliApp(options, output, error);
        return options.Command.Count > 0
            ? await app.RunOnceAsync().ConfigureAwait(false)
            : await app.RunSessionAsync(input, interactive, terminal).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private async Task<int> RunOnceAsync()
    {
        var arguments = options.Command.Select(Encoding.UTF8.GetBytes).ToArray();
        return await RepeatAsync(arguments, options.Repeat, error, redirects: null).ConfigureAwait(false) ? 0 : 1;
    }

    /// <summary>Sends a command <paramref name="times"/> times (negative: for ever), -i apart, printing each reply.</summary>
    /// <returns>False when a reply was an error or the node could not be reached.</returns>
    private async Task<bool> RepeatAsync(IReadOnlyList<byte[]> arguments, long times, TextWriter problems, TextWriter? redirects)
    {
        var succeeded = true;
        for (var sent = 0L; times < 0 || sent < times; sent++)
        {
            if (sent > 0 && options.Interval > TimeSpan.Zero)
            {
                await Task.Delay(options.Interval).ConfigureAwait(false);
            }

            var reply = await _connection.ExecuteAsync(arguments, problems, redirects).ConfigureAwait(false);
            if (reply is null)
            {
                succeeded = false;
            }
            else
            {
                succeeded &= !reply.IsError;
                await output.WriteLineAsync(ReplyFormatter.Format(reply, options.Raw)).ConfigureAwait(false);
            }

            // One reply per flush, so a long -r run can be watched or piped to grep as it goes.
            await output.FlushAsync().ConfigureAwait(false);
        }

        return succeeded;
    }

    private async Task<int> RunSessionAsync(TextReader input, bool interactive, TerminalLineReader? terminal)
    {
        if (interactive)
        {
            await output.WriteLineAsync("Welcome pepperCache-client!").ConfigureAwait(false);
        }

        while (true)
        {
            if (terminal is not null && !_catalogLoaded)
            {
                await LoadCatalogAsync(terminal.Editor).ConfigureAwait(false);
            }

            var line = await ReadLineAsync(input, interactive, terminal).ConfigureAwait(false);
            if (line is null)
            {
                // Ctrl-D at the prompt: end the prompt's line before saying goodbye.
                if (interactive)
                {
                    await output.WriteLineAsync().ConfigureAwait(false);
                }

                break;
            }

            var arguments = ArgumentSplitter.Split(line);
            if (arguments is null)
            {
                await output.WriteLineAsync("Invalid argument(s)").ConfigureAwait(false);
                continue;
            }

            if (arguments.Count == 0)
            {
                continue;
            }

            if (arguments.Count == 1 && IsExit(arguments[0]))
            {
                break;
            }

            // As redis-cli: "3 incr visits" sends INCR three times.
            var times = 1L;
            if (arguments.Count > 1 && long.TryParse(Encoding.UTF8.GetString(arguments[0]), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out times))
            {
                if (times <= 0)
                {
                    await output.WriteLineAsync("Invalid pepper-cli repeat command option value.").ConfigureAwait(false);
                    continue;
                }

                arguments.RemoveAt(0);
            }
            else
            {
                times = 1;
            }

            await RepeatAsync(arguments, times, output, output).ConfigureAwait(false);
        }

        if (interactive)
        {
            await output.WriteLineAsync("goodbye!").ConfigureAwait(false);
        }

        await output.FlushAsync().ConfigureAwait(false);
        return 0;
    }

    private async Task<string?> ReadLineAsync(TextReader input, bool interactive, TerminalLineReader? terminal)
    {
        if (terminal is not null)
        {
            return terminal.ReadLine(Prompt);
        }

        if (interactive)
        {
            await output.WriteAsync(Prompt).ConfigureAwait(false);
            await output.FlushAsync().ConfigureAwait(false);
        }

        return await input.ReadLineAsync().ConfigureAwait(false);
    }

    // Hints and completion come from the server; with no server yet, the next prompt tries again, silently.
    private async Task LoadCatalogAsync(LineEditor editor)
    {
        var docs = await _connection.ExecuteAsync(CommandDocs, TextWriter.Null, redirects: null).ConfigureAwait(false);
        _catalogLoaded = docs is not null;
        editor.Catalog = docs is { Kind: RespReplyKind.Array } ? CommandCatalog.Parse(docs) : CommandCatalog.Empty;
    }

    private static bool IsExit(byte[] argument) =>
        Ascii.EqualsIgnoreCase(argument, "exit"u8) || Ascii.EqualsIgnoreCase(argument, "quit"u8);
}
