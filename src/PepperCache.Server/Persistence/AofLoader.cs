using System.Buffers;
using System.IO.Pipelines;
using PepperCache.Protocol;

namespace PepperCache.Server.Persistence;

/// <summary>What reading an append-only file found.</summary>
/// <param name="Commands">Whole records read (and, when replaying, executed).</param>
/// <param name="GoodLength">Bytes up to the end of the last whole record.</param>
/// <param name="FileLength">Bytes in the file.</param>
/// <param name="CorruptOffset">Offset of the first record that is not valid RESP, or -1. Everything from here on is unusable.</param>
/// <param name="Error">What was wrong at <paramref name="CorruptOffset"/>.</param>
internal sealed record AofScanResult(long Commands, long GoodLength, long FileLength, long CorruptOffset, string? Error)
{
    public bool IsCorrupt => CorruptOffset >= 0;

    /// <summary>The file ends inside a record (a crash mid-write): loadable up to <see cref="GoodLength"/>.</summary>
    public bool HasTornTail => !IsCorrupt && GoodLength < FileLength;
}

/// <summary>
/// Reads an append-only file record by record with the connection's RESP parser. A record cut short at the end is
/// a torn tail (loadable up to it); anything that is not a RESP array of bulk strings is corruption, reported with
/// its byte offset.
/// </summary>
internal static class AofLoader
{
    /// <param name="execute">Runs one record; returns an error text to stop the load there (an unknown command).</param>
    /// <param name="request">Each record is parsed into this, then handed to <paramref name="execute"/>.</param>
    public static async Task<AofScanResult> ReadAsync(Stream stream, RespRequest request, Func<RespRequest, string?>? execute)
    {
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 1024 * 1024, minimumReadSize: 256 * 1024, leaveOpen: true));
        long offset = 0;
        long commands = 0;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                var (consumed, corrupt) = ReadRecords(buffer, request, execute, ref commands);
                if (corrupt is { } failure)
                {
                    return new AofScanResult(commands, offset + failure.Offset, stream.Length, offset + failure.Offset, failure.Error);
                }

                offset += consumed;
                if (result.IsCompleted)
                {
                    return new AofScanResult(commands, offset, offset + (buffer.Length - consumed), -1, null);
                }

                reader.AdvanceTo(buffer.GetPosition(consumed), buffer.End);
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Reads every whole record in <paramref name="buffer"/>; returns the bytes they took, or where it went wrong.</summary>
    private static (long Consumed, (long Offset, string Error)? Corrupt) ReadRecords(
        in ReadOnlySequence<byte> buffer, RespRequest request, Func<RespRequest, string?>? execute, ref long commands)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (reader.TryPeek(out var first))
        {
            var start = reader.Consumed;
            if (first != (byte)'*')
            {
                // Records are always arrays; the parser would take anything else as an inline command.
                return (start, (start, $"expected '*', got '{(char)first}'"));
            }

            try
            {
                if (!RespParser.TryReadCommand(ref reader, request))
                {
                    break;
                }
            }
            catch (RespProtocolException ex)
            {
                return (start, (start, ex.Message));
            }

            if (request.Count == 0)
            {
                continue;
            }

            if (execute?.Invoke(request) is { } error)
            {
                return (start, (start, error));
            }

            commands++;
        }

        return (reader.Consumed, null);
    }
}
