using PepperCache.Protocol;

namespace PepperCache.Client;

public sealed partial class RespConnection
{
    private static readonly byte[][] AskingCommand = ["ASKING"u8.ToArray()];

    /// <summary>
    /// Sends <c>ASKING</c> and then the command, back to back under one hold of the write lock, so no other caller's
    /// command can come between them (ASKING applies to the next command on the connection only).
    /// </summary>
    /// <returns>The command's reply; ASKING's own <c>+OK</c> is dropped.</returns>
    internal async Task<RespReply> ExecuteAskingAsync(IReadOnlyList<byte[]> arguments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var asking = new TaskCompletionSource<RespReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reply = new TaskCompletionSource<RespReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_pendingLock)
            {
                if (_failure is not null)
                {
                    throw _failure;
                }

                _pending.Enqueue(asking);
                _pending.Enqueue(reply);
            }

            _socket.Output.WriteCommand(AskingCommand);
            _socket.Output.WriteCommand(arguments);
            var flushed = await _socket.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            if (flushed.IsCompleted)
            {
                Fail(Lost());
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException or ObjectDisposedException)
        {
            Fail(Lost(e));
        }
        finally
        {
            _writeLock.Release();
        }

        var askingReply = await asking.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        var commandReply = await reply.Task.WaitAsync(cancellationToken).ConfigureAwait(false);

        // A node that refuses ASKING (not in cluster mode) says why; that error is the useful answer.
        return askingReply.IsError ? askingReply : commandReply;
    }
}
