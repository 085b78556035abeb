using PepperCache.Protocol;

namespace PepperCache.Server.Persistence;

/// <summary>
/// A connection's way into the log: write handlers say here what their command did, in the form that replays to the
/// same state (relative expiries made absolute, conditions that held dropped). Every method is a no-op unless the
/// log is running the command (<see cref="AppendOnlyLog.Execute"/>), so handlers call them unconditionally.
/// </summary>
/// <remarks>
/// The replay rule these records follow: a command is logged so that it gives the same result on the state the
/// log has rebuilt so far, with the clock paused, where keys that expired at run time may still be present (their
/// expiry is not logged). So a record never depends on a key that may have expired being absent: a command whose
/// effect depends on that (INCR on a volatile key, SETNX, RENAMENX...) is logged as its result.
/// </remarks>
internal sealed class AofFeed(AppendOnlyLog log)
{
    public AppendOnlyLog Log { get; } = log;

    /// <summary>Where records go while the log runs a command; null otherwise.</summary>
    internal AofBuffer? Target { get; set; }

    /// <summary>LSN of this connection's last record not yet waited for; 0 when none.</summary>
    internal long PendingLsn { get; set; }

    private AofWaiter? _waiter;

    /// <summary>True while a write command runs under the log: handlers may then do extra work to build a record.</summary>
    public bool IsRecording => Target is not null;

    public void Request(RespRequest request)
    {
        if (Target is { } target)
        {
            AofRecords.WriteRequest(target, request);
        }
    }

    public void RequestAs(ReadOnlySpan<byte> name, RespRequest request)
    {
        if (Target is { } target)
        {
            AofRecords.WriteRequest(target, request, name);
        }
    }

    public void Set(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long expiresAt)
    {
        if (Target is { } target)
        {
            AofRecords.WriteSet(target, key, value, expiresAt);
        }
    }

    public void Delete(ReadOnlySpan<byte> key)
    {
        if (Target is { } target)
        {
            AofRecords.WriteCommand(target, "DEL"u8, key);
        }
    }

    /// <summary>
    /// A command created the collection at <paramref name="key"/>: logged as DEL first. The key was missing at run time,
    /// but may have been there with an expiry that had passed, which the log does not record; during replay, with the
    /// clock paused, that old value would still be present, and the command's record would add to it.
    /// </summary>
    public void Created(ReadOnlySpan<byte> key) => Delete(key);

    /// <summary>HSET key field value: what HSETNX, HINCRBY and HINCRBYFLOAT are logged as (the value they stored).</summary>
    public void HashSet(ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, ReadOnlySpan<byte> value)
    {
        if (Target is { } target)
        {
            AofRecords.WriteCommand(target, "HSET"u8, key, field, value);
        }
    }

    /// <summary>
    /// <paramref name="key"/> now holds <paramref name="value"/> (SUNIONSTORE and the like): DEL, then the commands that
    /// rebuild it in bounded chunks, so replay does not depend on the sources as they were.
    /// </summary>
    public void Replaced(ReadOnlySpan<byte> key, Core.Storage.StoreObject value)
    {
        if (Target is { } target)
        {
            AofRecords.WriteCommand(target, "DEL"u8, key);
            value.WriteRestoreCommands(key, target);
        }
    }

    /// <summary>A new absolute expiry; one not in the future deleted the key, so that is logged as DEL (as Redis).</summary>
    public void ExpireAt(ReadOnlySpan<byte> key, long expiresAt, long now)
    {
        if (Target is not { } target)
        {
            return;
        }

        if (expiresAt <= now)
        {
            AofRecords.WriteCommand(target, "DEL"u8, key);
        }
        else
        {
            AofRecords.WritePExpireAt(target, key, expiresAt);
        }
    }

    public void Persist(ReadOnlySpan<byte> key)
    {
        if (Target is { } target)
        {
            AofRecords.WriteCommand(target, "PERSIST"u8, key);
        }
    }

    public void Rename(ReadOnlySpan<byte> source, ReadOnlySpan<byte> target)
    {
        if (Target is { } output)
        {
            AofRecords.WriteCommand(output, "RENAME"u8, source, target);
        }
    }

    /// <summary>
    /// After the connection runs a batch, before its replies are flushed: completes when this connection's records
    /// have reached the file (fsync'd under appendfsync always, written under everysec and no); at once when the
    /// batch appended none. See <see cref="AppendOnlyLog.WaitLoggedAsync"/>.
    /// </summary>
    public ValueTask WaitLoggedAsync()
    {
        var lsn = PendingLsn;
        if (lsn == 0)
        {
            return default;
        }

        PendingLsn = 0;
        return Log.WaitLoggedAsync(lsn, _waiter ??= new AofWaiter());
    }
}
