using System.Text;
using PepperCache.Client;
using PepperCache.Protocol;

namespace PepperCache.Cli;

/// <summary>
/// pepper-cli's behaviour, apart from the console so tests can drive it with their own reader and writers.
/// </summary>
internal sealed class CliApp(CliOptions options, TextWriter output, TextWriter error) : IAsyncDisposable
{
    private const string Prompt = "pepper-cli> ";
    private RespConnection? _connection;

    /// <summary>Runs pepper-cli and returns its exit code.</summary>
    /// <param name="interactive">Whether stdin is a terminal: then a welcome, prompts and a goodbye are shown.</param>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextReader input, TextWriter output, TextWriter error, bool interactive)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var options = CliOptions.Parse(args, out var flagError);
        if (options is null)
        {
            await error.WriteLineAsync(flagError).ConfigureAwait(false);
            await error.WriteLineAsync(CliOptions.Usage).ConfigureAwait(false);
            return 2;
        }

        if (options.Help)
        {
            await output.WriteLineAsync(CliOptions.Usage).ConfigureAwait(false);
            return 0;
        }

        await using var app = new CliApp(options, output, error);
        return options.Command.Count > 0
            ? await app.RunOnceAsync().ConfigureAwait(false)
            : await app.RunSessionAsync(input, interactive).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<int> RunOnceAsync()
    {
        var arguments = options.Command.Select(Encoding.UTF8.GetBytes).ToArray();
        var reply = await TryExecuteAsync(arguments, error).ConfigureAwait(false);
        if (reply is null)
        {
            return 1;
        }

        await output.WriteLineAsync(ReplyFormatter.Format(reply, options.Raw)).ConfigureAwait(false);
        return reply.IsError ? 1 : 0;
    }

    private async Task<int> RunSessionAsync(TextReader input, bool interactive)
    {
        if (interactive)
        {
            await output.WriteLineAsync("Welcome pepperCache-client!").ConfigureAwait(false);
        }

        while (true)
        {
            if (interactive)
            {
                await output.WriteAsync(Prompt).ConfigureAwait(false);
                await output.FlushAsync().ConfigureAwait(false);
            }

            var line = await input.ReadLineAsync().ConfigureAwait(false);
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

            var reply = await TryExecuteAsync(arguments, output).ConfigureAwait(false);
            if (reply is not null)
            {
                await output.WriteLineAsync(ReplyFormatter.Format(reply, options.Raw)).ConfigureAwait(false);
            }

            await output.FlushAsync().ConfigureAwait(false);
        }

        if (interactive)
        {
            await output.WriteLineAsync("goodbye!").ConfigureAwait(false);
        }

        await output.FlushAsync().ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// Sends one command, connecting first when there is no working connection, so a node that was down is used
    /// again as soon as it is back. As redis-cli does, a command that fails on a connection that was already open
    /// (the node restarted since) is sent once more on a new one. Connection problems are printed to
    /// <paramref name="problems"/>.
    /// </summary>
    private async Task<RespReply?> TryExecuteAsync(IReadOnlyList<byte[]> arguments, TextWriter problems)
    {
        try
        {
            var reused = _connection is { IsConnected: true };
            try
            {
                return await (await ConnectedAsync().ConfigureAwait(false)).ExecuteAsync(arguments).ConfigureAwait(false);
            }
            catch (RespConnectionException) when (reused)
            {
                return await (await ConnectedAsync().ConfigureAwait(false)).ExecuteAsync(arguments).ConfigureAwait(false);
            }
        }
        catch (RespConnectionException e)
        {
            await problems.WriteLineAsync(e.Message).ConfigureAwait(false);
            return null;
        }
    }

    private async Task<RespConnection> ConnectedAsync()
    {
        if (_connection is { IsConnected: true })
        {
            return _connection;
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }

        _connection = await RespConnection.ConnectAsync(options.Node, options.Port).ConfigureAwait(false);
        return _connection;
    }

    private static bool IsExit(byte[] argument) =>
        Ascii.EqualsIgnoreCase(argument, "exit"u8) || Ascii.EqualsIgnoreCase(argument, "quit"u8);
}
