using PepperCache.Protocol;

namespace PepperCache.Server.Resp;

/// <summary>
/// The memory figures of one connection as CLIENT LIST prints them, mapped onto how PepperCache holds a client:
/// pooled 4 KB blocks in and out, a reusable request, and a session object.
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
    /// What a connection costs before it buffers anything (session, request, command context, the transport's
    /// connection, socket and input pipe, and the 4 KB block its replies are written into, kept between replies).
    /// Measured as RSS growth per idle connection on a running node, 3,000 connections that each sent one PING
    /// (2026-12-06): 13.1-13.4 KB each, 9.8-10.9 before the output kept its block.
    /// </summary>
    public const long ConnectionOverhead = 12 * 1024;

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
