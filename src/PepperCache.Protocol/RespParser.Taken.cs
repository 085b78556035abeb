using System.Buffers;

namespace PepperCache.Protocol;

/// <summary>Commands taken into the request while they arrive (<see cref="RespRequest.BufferedFrameLimit"/>).</summary>
public static partial class RespParser
{
    /// <summary>
    /// The command reached the limit with the body of argument <c>count - argumentsLeft</c> incomplete: take the
    /// arguments before it, and a large body (one past the limit: smaller ones are taken at their header) as far as it
    /// has come (the reader moves past everything); a small one is read again, header and all, once it is whole.
    /// </summary>
    private static void TakeIncomplete(
        ref SequenceReader<byte> reader, RespRequest request, SequencePosition frameStart, SequenceReader<byte> header, long length, long argumentsLeft)
    {
        if (length >= RespRequest.LargeArgument)
        {
            request.BeginTaking(reader.Sequence.Slice(frameStart, header.Position), argumentsLeft);
            request.BeginLargeArgument((int)length);
            request.FillLargeArgument(ref reader);
            request.BytesNeeded = 1;
            return;
        }

        request.BeginTaking(reader.Sequence.Slice(frameStart, header.Position), argumentsLeft);
        request.BytesNeeded = reader.Consumed - header.Consumed + length + 2;
        reader = header;
    }

    /// <summary>
    /// Goes on with a command taken in part: the reader starts where the previous call left it. Each byte is copied
    /// once, so a command arriving in many small reads costs linear time. Outcomes as <see cref="TryReadCommand"/>'s.
    /// </summary>
    private static bool TryContinueTaken(ref SequenceReader<byte> reader, RespRequest request)
    {
        var limits = request.Limits;
        while (true)
        {
            if (request.IsTakingLargeArgument && !request.FillLargeArgument(ref reader))
            {
                request.BytesNeeded = 1;
                return false;
            }

            if (request.ArgumentsToTake == 0)
            {
                request.CompleteTaking();
                return true;
            }

            var header = reader;
            if (!TryReadHeader(ref reader, limits, (byte)'$', out var length))
            {
                request.BytesNeeded = reader.Remaining + 1;
                return false;
            }

            // Each argument of a taken command has an array of its own (or the spill), so none sits before it.
            CheckBulkLength(length, 0, request);

            if (length >= RespRequest.LargeArgument)
            {
                request.BeginLargeArgument((int)length);
                continue;
            }

            if (reader.Remaining < length + 2)
            {
                request.BytesNeeded = reader.Consumed - header.Consumed + length + 2;
                reader = header;
                return false;
            }

            request.TakeArgument(reader.Sequence.Slice(reader.Position, length));
            reader.Advance(length + 2);
        }
    }
}
