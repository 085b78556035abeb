using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using PepperCache.Client;
using PepperCache.Protocol;

namespace PepperCache.Server.Commands;

/// <summary>
/// MIGRATE's I/O, off the connection's thread: take the cached connection to the target or connect, send [AUTH]
/// [SELECT] and one RESTORE per key in one write (plain RESTORE: PepperCache's cluster is not Redis Cluster, so the
/// target never needs RESTORE-ASKING), then read the replies in order. Every step is bounded by the job's timeout; the
/// task never fails, it reports. The connection goes back to <see cref="MigrateSocketCache"/> unless it broke.
/// </summary>
internal static class MigrateTransfer
{
    public static async Task<MigrateOutcome> RunAsync(MigrateJob job, MigrateSocketCache sockets, TimeProvider time)
    {
        try
        {
            return await TransferAsync(job, sockets, time).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The connection awaits this task: an unexpected failure is a lost target, never a lost client.
            return new MigrateOutcome(job.Copy, [], null, MigrateFailure.Reading);
        }
    }

    private static async Task<MigrateOutcome> TransferAsync(MigrateJob job, MigrateSocketCache sockets, TimeProvider time)
    {
        // As Redis names the cache entry: the host and port arguments as written, so "localhost" and "127.0.0.1" differ.
        var name = job.Host + ":" + job.PortText;
        for (var mayRetry = true; ; mayRetry = false)
        {
            var socket = sockets.Take(name);
            if (socket is null)
            {
                var (connection, failed) = await ConnectAsync(job, time).ConfigureAwait(false);
                if (connection is null)
                {
                    if (failed.Retryable && mayRetry)
                    {
                        continue;
                    }

                    return failed.Outcome;
                }

                socket = sockets.Adopt(connection);
            }

            var attempt = default(Attempt);
            try
            {
                attempt = await AttemptAsync(job, socket, time).ConfigureAwait(false);
            }
            finally
            {
                // An unexpected failure leaves the stream in an unknown state, as a broken one.
                if (attempt.Outcome is null || attempt.Broken)
                {
                    await socket.Connection.DisposeAsync().ConfigureAwait(false);
                }
                else
                {
                    await sockets.ReturnAsync(name, socket).ConfigureAwait(false);
                }
            }

            // As Redis: a cached connection the target closed while idle fails the first write or reply; one retry
            // on a fresh connection, unless it was a timeout or the target already answered a RESTORE.
            if (!(attempt.Retryable && mayRetry))
            {
                return attempt.Outcome;
            }
        }
    }

    /// <summary>A new connection, or why not: an unresolved host is Redis's "connecting" error, the rest "writing".</summary>
    private static async Task<(RespConnection? Connection, Attempt Failed)> ConnectAsync(MigrateJob job, TimeProvider time)
    {
        IPAddress address;
        try
        {
            // As Redis: a host that does not resolve fails at once, "connecting"; everything after is a write or a read.
            address = IPAddress.TryParse(job.Host, out var parsed)
                ? parsed
                : await ResolveAsync(job.Host).WaitAsync(job.Timeout, time).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or TimeoutException or ArgumentException)
        {
            return (null, Failed(job, MigrateFailure.Connecting, retryable: false));
        }

        if (job.Port is <= 0 or > IPEndPoint.MaxPort)
        {
            return (null, Failed(job, MigrateFailure.Writing, retryable: false));
        }

        try
        {
            using var connecting = new CancellationTokenSource(job.Timeout, time);
            return (await RespConnection.ConnectAsync(address.ToString(), (int)job.Port, connecting.Token).ConfigureAwait(false), default);
        }
        catch (RespConnectionException)
        {
            // Redis connects without waiting and finds the refusal when it writes, a write error it retries once.
            return (null, Failed(job, MigrateFailure.Writing, retryable: true));
        }
        catch (OperationCanceledException)
        {
            return (null, Failed(job, MigrateFailure.Writing, retryable: false));
        }
    }

    private static async Task<Attempt> AttemptAsync(MigrateJob job, MigrateSocket socket, TimeProvider time)
    {
        // As Redis's last_dbid: SELECT only when this connection has not selected the database yet.
        var select = socket.LastDb != job.Db;
        var commands = Commands(job, select);
        Task<RespReply>[] replies;
        try
        {
            replies = await socket.Connection.ExecuteManyAsync(commands.Count, (output, i) => output.WriteCommand(commands[i]))
                .WaitAsync(job.Timeout, time).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RespConnectionException or TimeoutException)
        {
            return Failed(job, MigrateFailure.Writing, retryable: e is not TimeoutException);
        }

        var attempt = await ReadRepliesAsync(job, replies, (job.Password is null ? 0 : 1) + (select ? 1 : 0), time).ConfigureAwait(false);
        if (!attempt.Broken)
        {
            // As Redis: after an error from the target the next call selects again.
            socket.LastDb = attempt.Outcome.TargetError is null ? job.Db : -1;
        }

        return attempt;
    }

    /// <summary>
    /// As Redis: an AUTH or SELECT error is the error for every key (none is accepted); the first error is the one
    /// reported; a key whose RESTORE was accepted counts even when a later reply fails to come.
    /// </summary>
    private static async Task<Attempt> ReadRepliesAsync(MigrateJob job, Task<RespReply>[] replies, int setup, TimeProvider time)
    {
        var accepted = new List<MigrateKey>();
        var next = 0;
        string? setupError = null;
        try
        {
            for (; next < setup; next++)
            {
                var reply = await replies[next].WaitAsync(job.Timeout, time).ConfigureAwait(false);
                setupError ??= reply.IsError ? reply.Text : null;
            }
        }
        catch (Exception e) when (e is RespConnectionException or TimeoutException)
        {
            return Failed(job, MigrateFailure.Reading, retryable: e is not TimeoutException);
        }

        string? targetError = null;
        foreach (var key in job.Keys)
        {
            RespReply reply;
            try
            {
                reply = await replies[next++].WaitAsync(job.Timeout, time).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RespConnectionException or TimeoutException)
            {
                // Retried only before the first RESTORE reply: after it, the target may have run some of them.
                var first = accepted.Count == 0 && targetError is null;
                return new Attempt(new MigrateOutcome(job.Copy, accepted, targetError, MigrateFailure.Reading), true, first && e is not TimeoutException);
            }

            if (setupError is not null || reply.IsError)
            {
                targetError ??= setupError ?? reply.Text;
            }
            else
            {
                accepted.Add(key);
            }
        }

        return new Attempt(new MigrateOutcome(job.Copy, accepted, targetError, MigrateFailure.None), false, false);
    }

    private static Attempt Failed(MigrateJob job, MigrateFailure failure, bool retryable) =>
        new(new MigrateOutcome(job.Copy, [], null, failure), true, retryable);

    private static List<byte[][]> Commands(MigrateJob job, bool select)
    {
        var commands = new List<byte[][]>(job.Keys.Count + 2);
        if (job.Password is { } password)
        {
            commands.Add(job.Username is { } username ? ["AUTH"u8.ToArray(), username, password] : ["AUTH"u8.ToArray(), password]);
        }

        if (select)
        {
            commands.Add(["SELECT"u8.ToArray(), Number(job.Db)]);
        }
        foreach (var key in job.Keys)
        {
            commands.Add(job.Replace
                ? ["RESTORE"u8.ToArray(), key.Name, Number(key.Ttl), key.Payload, "REPLACE"u8.ToArray()]
                : ["RESTORE"u8.ToArray(), key.Name, Number(key.Ttl), key.Payload]);
        }

        return commands;
    }

    private static byte[] Number(long value) => Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));

    // Nodes listen on IPv4 by default: prefer an IPv4 address, as RespConnection does.
    private static async Task<IPAddress> ResolveAsync(string host)
    {
        var addresses = await Dns.GetHostAddressesAsync(host).ConfigureAwait(false);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
               ?? addresses.FirstOrDefault()
               ?? throw new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>One try on one connection; Broken: it must be closed, Retryable: Redis would try once more on a fresh one.</summary>
    private readonly record struct Attempt(MigrateOutcome Outcome, bool Broken, bool Retryable);
}
