using PepperCache.Protocol;

namespace PepperCache.Server.Resp;

/// <summary>
/// The memory figures of one connection as CLIENT LIST prints them, mapped onto how PepperCache holds a client:
/// Kestrel pipes of pooled 4 KB blocks in and out, a reusable request, and a session object.
/// </summary>
internal readonly record struct ClientMemory(
    long QueryBuffer,
    long QueryBufferFree,
    long Arguments,
    long ReplyBuffer,
    long ReplyListLength,
    long ReplyList,
    long Total,
    bool WritePending)
{
    /// <summary>
    /// Redis's reply buffer (PROTO_REPLY_CHUNK_BYTES). PepperCache writes replies straight into the output pipe;
    /// the output buffer limits leave this much of it uncounted, as Redis does its buffer, so rbs names that share.
    /// </summary>
    public const int ReplyBufferSize = RespConnectionHandler.UncountedReplyBytes;

    /// <summary>Kestrel's memory pool block: the input pipe holds buffered bytes in blocks of this size.</summary>
    public const int PipeBlockSize = 4096;

    /// <summary>
    /// What a connection costs before it buffers anything (session, request, command context, Kestrel's connection,
    /// socket and pipe objects). Measured as RSS growth per idle connection on a running node (December 2026): 14.5 KB
    /// each for the first 2,000 (the heap grows too), 5 KB each for 3,000 more once it had; 8 KB lies between.
    /// </summary>
    public const long ConnectionOverhead = 8 * 1024;

    public static ClientMemory Of(ClientSession client, RespRequest? current)
    {
        var queryBuffer = Math.Max(0, client.QueryBufferLength);
        var blocks = (queryBuffer + PipeBlockSize - 1) / PipeBlockSize * PipeBlockSize;
        var arguments = current is null ? client.PartialArgumentBytes : ArgumentBytes(current);
        var pending = Math.Max(0, client.PendingOutputBytes) + (client.Monitor?.QueuedBytes ?? 0);
        var buffer = Math.Min(pending, ReplyBufferSize);
        var list = pending - buffer;
        return new ClientMemory(
            queryBuffer,
            blocks - queryBuffer,
            arguments,
            buffer,
            (list + ReplyBufferSize - 1) / ReplyBufferSize,
            list,
            ConnectionOverhead + blocks + arguments + pending,
            client.FlushPending || pending > 0);
    }

    /// <summary>Redis's argv-mem: the bytes of the arguments of the command being run.</summary>
    private static long ArgumentBytes(RespRequest request)
    {
        long total = 0;
        for (var i = 0; i < request.Count; i++)
        {
            total += request[i].Length;
        }

        return total;
    }
}
