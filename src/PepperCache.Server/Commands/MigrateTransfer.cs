using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using PepperCache.Client;
using PepperCache.Protocol;

namespace PepperCache.Server.Commands;

/// <summary>
/// MIGRATE's I/O, off the connection's thread: connect to the target, send [AUTH] SELECT and one RESTORE per key in one
/// write (plain RESTORE: PepperCache's cluster is not Redis Cluster, so the target never needs RESTORE-ASKING), then
/// read the replies in order. Every step is bounded by the job's timeout; the task never fails, it reports.
/// </summary>
internal static class MigrateTransfer
{
    public static async Task<MigrateOutcome> RunAsync(MigrateJob job, TimeProvider time)
    {
        try
        {
            return await TransferAsync(job, time).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The connection awaits this task: an unexpected failure is a lost target, never a lost client.
            return new MigrateOutcome(job.Copy, [], null, MigrateFailure.Reading);
        }
    }

    private static async Task<MigrateOutcome> TransferAsync(MigrateJob job, TimeProvider time)
    {
        var accepted = new List<MigrateKey>();
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
            return new MigrateOutcome(job.Copy, accepted, null, MigrateFailure.Connecting);
        }

        if (job.Port is <= 0 or > IPEndPoint.MaxPort)
        {
            return new MigrateOutcome(job.Copy, accepted, null, MigrateFailure.Writing);
        }

        RespConnection connection;
        try
        {
            using var connecting = new CancellationTokenSource(job.Timeout, time);
            connection = await RespConnection.ConnectAsync(address.ToString(), (int)job.Port, connecting.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RespConnectionException or OperationCanceledException)
        {
            // Redis connects without waiting and finds the refusal or the silence when it writes.
            return new MigrateOutcome(job.Copy, accepted, null, MigrateFailure.Writing);
        }

        await using (connection.ConfigureAwait(false))
        {
            var commands = Commands(job);
            Task<RespReply>[] replies;
            try
            {
                replies = await connection.ExecuteManyAsync(commands.Count, (output, i) => output.WriteCommand(commands[i]))
                    .WaitAsync(job.Timeout, time).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RespConnectionException or TimeoutException)
            {
                return new MigrateOutcome(job.Copy, accepted, null, MigrateFailure.Writing);
            }

            return await ReadRepliesAsync(job, replies, accepted, time).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// As Redis: an AUTH or SELECT error is the error for every key (none is accepted); the first error is the one
    /// reported; a key whose RESTORE was accepted counts even when a later reply fails to come.
    /// </summary>
    private static async Task<MigrateOutcome> ReadRepliesAsync(MigrateJob job, Task<RespReply>[] replies, List<MigrateKey> accepted, TimeProvider time)
    {
        var next = 0;
        string? setupError = null;
        try
        {
            var setup = job.Password is null ? 1 : 2;
            for (; next < setup; next++)
            {
                var reply = await replies[next].WaitAsync(job.Timeout, time).ConfigureAwait(false);
                setupError ??= reply.IsError ? reply.Text : null;
            }
        }
        catch (Exception e) when (e is RespConnectionException or TimeoutException)
        {
            return new MigrateOutcome(job.Copy, accepted, null, MigrateFailure.Reading);
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
                return new MigrateOutcome(job.Copy, accepted, targetError, MigrateFailure.Reading);
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

        return new MigrateOutcome(job.Copy, accepted, targetError, MigrateFailure.None);
    }

    private static List<byte[][]> Commands(MigrateJob job)
    {
        var commands = new List<byte[][]>(job.Keys.Count + 2);
        if (job.Password is { } password)
        {
            commands.Add(job.Username is { } username ? ["AUTH"u8.ToArray(), username, password] : ["AUTH"u8.ToArray(), password]);
        }

        commands.Add(["SELECT"u8.ToArray(), Number(job.Db)]);
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
}
