using PepperCache.Server.Logging;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Hosting;

/// <summary>
/// The limits on clients that need a clock or the process: at start-up the open-files limit is fitted to maxclients
/// (Redis's adjustOpenFilesLimit); then, once a second, as Redis's clientsCron, idle clients past <c>timeout</c> are
/// closed, and so are clients whose unsent replies have stayed over their soft output buffer limit too long.
/// </summary>
internal sealed class ClientLimitsService(
    ServerState server,
    DescriptorHeadroom? headroom,
    TimeProvider time,
    ILogger<ClientLimitsService> logger) : BackgroundService
{
    private readonly LogRateLimiter _capLog = new(logger, "descriptor cap", 1, TimeSpan.FromMinutes(1), time);
    private readonly LogRateLimiter _outputLimitLog = RespConnectionHandler.OutputLimitLog(logger, time);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var limits = server.Config.Clients;
        limits.Logger = logger;
        limits.AdjustAtStart();
        headroom?.Recount(limits, server.Clients.Admitted);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Sweep();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>One pass over the clients; returns how many were closed.</summary>
    internal int Sweep()
    {
        var limits = server.Config.Clients;
        if (headroom is not null)
        {
            headroom.Recount(limits, server.Clients.Admitted);
            if (limits.DescriptorCap < limits.MaxClients && _capLog.ShouldLog())
            {
                Log.DescriptorCapBinds(logger, limits.DescriptorCap, OpenFilesLimit.Current, limits.MaxClients);
            }
        }

        var timeoutMs = limits.Timeout * 1000;
        var output = limits.OutputBuffer.Normal;
        if (timeoutMs == 0 && output.Soft == 0)
        {
            return 0;
        }

        var now = server.Store.Now;
        var closed = 0;
        foreach (var client in server.Clients.Sessions)
        {
            // As Redis: a blocked client is not idle (its wait has its own timeout).
            if (timeoutMs > 0 && now - client.LastInteraction > timeoutMs && client.Blocking is not { IsWaiting: true })
            {
                // As Redis: no reply, the connection is closed. One waiting for input ends its read and closes
                // gracefully; one stuck in a flush its client does not read is dropped with the unsent replies.
                Log.ClosingIdleClient(logger, client.Id);
                (client.FlushPending ? client.Abort : client.Kill)?.Invoke();
                closed++;
                continue;
            }

            // A client stuck in a flush is not running commands, so its soft limit is timed here.
            var since = client.OutputSoftLimitSince;
            if (output.Soft > 0 && since != 0 && client.OutputBufferLength >= output.Soft && now - since > output.SoftSeconds * 1000)
            {
                RespConnectionHandler.CloseForOutputLimit(server, client, client.OutputBufferLength, logger, _outputLimitLog);
                closed++;
            }
        }

        return closed;
    }
}
