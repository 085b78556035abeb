using System.Globalization;
using PepperCache.Client;
using PepperCache.Client.Cluster;
using PepperCache.Protocol;

namespace PepperCache.Cli;

/// <summary>
/// pepper-cli's one connection, as redis-cli keeps it: made on the first command and again after it was lost,
/// authenticated with -a (a refusal is printed to stderr), and with -c moved to whichever node a MOVED or ASK reply names.
/// </summary>
internal sealed class CliConnection(CliOptions options, TextWriter error) : IAsyncDisposable
{
    // redis-cli follows redirects without limit; a cluster whose nodes disagree would then loop for ever.
    private const int MaxRedirects = 16;

    private RespConnection? _connection;

    /// <summary>The node commands go to: the one given, or with -c the last one a redirect named.</summary>
    public string Host { get; private set; } = options.Node;

    public int Port { get; private set; } = options.Port;

    /// <summary>
    /// Sends one command and returns its reply, or null after printing to <paramref name="problems"/> why the node
    /// could not be reached. A command that fails on a connection that was already open (the node restarted since) is
    /// sent once more on a new one, as redis-cli does.
    /// </summary>
    /// <param name="redirects">Where -c prints <c>-&gt; Redirected to slot [N] located at H:P</c>; null for silence
    /// (redis-cli prints it in its REPL only).</param>
    public async Task<RespReply?> ExecuteAsync(IReadOnlyList<byte[]> arguments, TextWriter problems, TextWriter? redirects)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var asking = false;
        for (var followed = 0; ; followed++)
        {
            var reply = await ExecuteOnceAsync(arguments, asking, problems).ConfigureAwait(false);
            if (reply is null || !options.Cluster || !reply.IsError || !Redirect.TryParse(reply.Bytes, out var redirect)
                || followed == MaxRedirects)
            {
                return reply;
            }

            var host = redirect.Host.Length == 0 ? Host : redirect.Host;
            if (redirects is not null)
            {
                await redirects.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"-> Redirected to slot [{redirect.Slot}] located at {host}:{redirect.Port}")).ConfigureAwait(false);
            }

            await CloseAsync().ConfigureAwait(false);
            (Host, Port) = (host, redirect.Port);
            asking = redirect.Kind == RedirectKind.Ask;
        }
    }

    public ValueTask DisposeAsync() => CloseAsync();

    private async Task<RespReply?> ExecuteOnceAsync(IReadOnlyList<byte[]> arguments, bool asking, TextWriter problems)
    {
        try
        {
            var reused = _connection is { IsConnected: true };
            try
            {
                return await SendAsync(await ConnectedAsync().ConfigureAwait(false), arguments, asking).ConfigureAwait(false);
            }
            catch (RespConnectionException) when (reused)
            {
                return await SendAsync(await ConnectedAsync().ConfigureAwait(false), arguments, asking).ConfigureAwait(false);
            }
        }
        catch (RespConnectionException e)
        {
            await problems.WriteLineAsync(e.Message).ConfigureAwait(false);
            return null;
        }
    }

    private static async Task<RespReply> SendAsync(RespConnection connection, IReadOnlyList<byte[]> arguments, bool asking)
    {
        if (asking)
        {
            // ASKING holds for the next command only, and nothing else shares this connection.
            await connection.ExecuteAsync("ASKING").ConfigureAwait(false);
        }

        return await connection.ExecuteAsync(arguments).ConfigureAwait(false);
    }

    private async Task<RespConnection> ConnectedAsync()
    {
        if (_connection is { IsConnected: true })
        {
            return _connection;
        }

        await CloseAsync().ConfigureAwait(false);
        _connection = await RespConnection.ConnectAsync(Host, Port).ConfigureAwait(false);
        if (options.Password is not null)
        {
            var auth = await (options.User is null
                ? _connection.ExecuteAsync("AUTH", options.Password)
                : _connection.ExecuteAsync("AUTH", options.User, options.Password)).ConfigureAwait(false);

            // As redis-cli: say so and go on; the command's own reply (NOAUTH...) tells the rest.
            if (auth.IsError)
            {
                await error.WriteLineAsync($"AUTH failed: {auth.Text}").ConfigureAwait(false);
            }
        }

        return _connection;
    }

    private async ValueTask CloseAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }
    }
}
