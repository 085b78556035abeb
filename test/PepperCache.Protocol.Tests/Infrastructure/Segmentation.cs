using System.Buffers;
using System.Globalization;

namespace PepperCache.Protocol.Tests.Infrastructure;

/// <summary>
/// Names the ways one payload is laid out in memory (RESPite-style variants), as strings so each variant is its
/// own test case: <c>whole</c> (one right-sized segment), <c>guarded</c> (one segment inside 0xFF guard bytes),
/// <c>split@N</c> (two segments cut at offset N) and <c>bytes</c> (one byte per segment).
/// </summary>
internal static class Segmentation
{
    public static IEnumerable<string> VariantsFor(int length)
    {
        yield return "whole";
        yield return "guarded";
        for (var cut = 1; cut < length; cut++)
        {
            yield return "split@" + cut.ToString(CultureInfo.InvariantCulture);
        }

        if (length > 1)
        {
            yield return "bytes";
        }
    }

    public static ReadOnlySequence<byte> Build(byte[] payload, string variant) => variant switch
    {
        "whole" => new ReadOnlySequence<byte>(payload),
        "guarded" => FragmentedSequence.Guarded(payload),
        "bytes" => FragmentedSequence.Chunked(payload, 1),
        _ when variant.StartsWith("split@", StringComparison.Ordinal) =>
            FragmentedSequence.Split(payload, int.Parse(variant.AsSpan(6), CultureInfo.InvariantCulture)),
        _ => throw new ArgumentException("unknown variant " + variant, nameof(variant)),
    };

    public static ReadOnlySequence<byte> Build(string payload, string variant) => Build(Bytes.Of(payload), variant);
}
