namespace PepperCache.Core.Rdb;

/// <summary>
/// Redis 7.0's <c>_quicklistNodeAllowInsert</c>: whether a push joins the end node or starts a new one, for a
/// <c>list-max-listpack-size</c> of <paramref name="fill"/> (negative: a byte class of 4, 8, 16, 32 or 64 KB;
/// positive: an element count, under an 8 KB safety limit).
/// </summary>
internal static class QuicklistFill
{
    internal const int SafetyLimit = 8192;
    private const int EstimateOverhead = 8;
    private static readonly int[] SizeClasses = [4096, 8192, 16384, 32768, 65536];

    public static bool AllowsInsert(int nodeBytes, int nodeCount, int elementLength, int fill)
    {
        var newSize = (long)nodeBytes + elementLength + EstimateOverhead;
        if (fill < 0)
        {
            var offset = -(long)fill - 1;
            if (offset < SizeClasses.Length && newSize <= SizeClasses[offset])
            {
                return true;
            }
        }

        if (newSize > SafetyLimit)
        {
            return false;
        }

        return nodeCount < fill;
    }
}
