using System.Diagnostics;
using PepperCache.Protocol;
using PepperCache.Server.Hosting;
using PepperCache.Server.Logging;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Persistence;

/// <summary>The append-only file refuses to load: corrupt at a byte offset. A start-up failure reported in one line.</summary>
internal sealed class AofLoadException(string message) : Exception(message);

/// <summary>
/// Loads appendonly.aof into the store, then opens it for appending. Loading happens in <see cref="StartingAsync"/>,
/// which the host runs for every service before any StartAsync, the web host's (where Kestrel starts accepting)
/// included: so no client is answered before the data is back, whatever order the services were registered in.
/// The ports are bound and the data directory locked before the file is touched (<see cref="DataDirectoryLock"/>): a
/// node that cannot have them leaves the file alone.
/// </summary>
internal sealed class AofService(AppendOnlyLog log, ServerState server, DataDirectoryLock directoryLock, ILogger<AofService> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        directoryLock.Acquire();
        if (!log.Enabled)
        {
            return;
        }

        Directory.CreateDirectory(log.Directory);
        foreach (var leftover in Directory.EnumerateFiles(log.Directory, AofSettings.TempPrefix + "*"))
        {
            // A rewrite that crashed before its rename: the live file never depended on it.
            File.Delete(leftover);
        }

        if (File.Exists(log.FilePath))
        {
            await LoadAsync().ConfigureAwait(false);
        }

        log.Open();
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Runs after every StopAsync, the web host's (Kestrel's) included: no connection can write any more, so what is
    /// buffered is all there is to write and fsync.
    /// </summary>
    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        log.Stop();
        return Task.CompletedTask;
    }

    private async Task LoadAsync()
    {
        var started = Stopwatch.GetTimestamp();
        var store = server.Store;
        var session = new ClientSession(0, null, null, store.Now) { Name = "aof-loader" };
        using var request = new RespRequest(server.Limits);
        var context = new CommandContext(server, session, request);
        var discard = new System.Buffers.ArrayBufferWriter<byte>(4096);
        context.Output = discard;
        AofScanResult result;
        log.Loading = true;
        // Keys that expired while the node ran stay present until the load ends, as in Redis: a record may depend on them.
        store.PauseClock();
        try
        {
            await using var file = new FileStream(log.FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            result = await AofLoader.ReadAsync(file, request, parsed => Replay(context, parsed, discard)).ConfigureAwait(false);
        }
        finally
        {
            store.ResumeClock();
            log.Loading = false;
        }

        if (result.IsCorrupt)
        {
            store.Clear();
            throw new AofLoadException(
                $"Bad file format reading the append only file {log.FilePath} at byte offset {result.CorruptOffset} ({result.Error}): " +
                $"run the server with --aof-fix to truncate it there ({result.FileLength - result.GoodLength} bytes would go)");
        }

        if (result.HasTornTail)
        {
            Log.AofTruncated(logger, log.FilePath, result.GoodLength, result.FileLength - result.GoodLength);
            using var truncate = new FileStream(log.FilePath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            truncate.SetLength(result.GoodLength);
            truncate.Flush(flushToDisk: true);
        }

        // Reclaim what expired while the node was down rather than leave it to DBSIZE and active expiry.
        while (store.RemoveExpired(100_000) > 0)
        {
        }

        Log.AofLoaded(logger, log.FilePath, result.Commands, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private string? Replay(CommandContext context, RespRequest parsed, System.Buffers.ArrayBufferWriter<byte> discard)
    {
        if (!server.Commands.TryGet(parsed.Name, out var command))
        {
            return $"unknown command '{parsed.GetString(0)}'";
        }

        if (!command.AcceptsArgumentCount(parsed.Count))
        {
            return $"wrong number of arguments for '{command.Name}'";
        }

        context.Command = command;
        command.Handler(context);
        discard.ResetWrittenCount();
        return null;
    }
}
