using PepperCache.Protocol;

namespace PepperCache.Core.Cluster;

public static partial class SlotPlanner
{
    /// <summary>
    /// Hands the free slots to the members that take (<c>takes[m]</c> each; the amounts add up to the free slots),
    /// the largest share first, each in as few chunks as it can.
    /// </summary>
    /// <remarks>
    /// Every taker first grows its own ranges from the runs next to them, before any taker takes a chunk elsewhere:
    /// a run's end taken by a member that does not touch it costs the neighbour there one more range.
    /// </remarks>
    private static void TakeAll(int[] owners, int[] takes)
    {
        var runs = FreeRuns(owners);
        var takers = Enumerable.Range(0, takes.Length).Where(m => takes[m] > 0).OrderByDescending(m => takes[m]).ThenBy(m => m).ToArray();
        var rest = new int[takes.Length];
        foreach (var m in takers)
        {
            rest[m] = TakeNextToOwnRanges(owners, runs, m, takes[m]);
        }

        foreach (var m in takers)
        {
            Take(owners, runs, m, rest[m]);
        }
    }

    /// <summary>Takes up to <paramref name="count"/> slots from the runs next to member <paramref name="m"/>'s ranges; returns what is still to take.</summary>
    private static int TakeNextToOwnRanges(int[] owners, List<SlotRange> runs, int m, int count)
    {
        for (var i = 0; i < runs.Count && count > 0; i++)
        {
            var run = runs[i];
            if (run.Start > 0 && owners[run.Start - 1] == m)
            {
                var take = Math.Min(count, run.Count);
                Assign(owners, m, run.Start, take);
                count -= take;
                Replace(runs, i--, take == run.Count ? null : new SlotRange(run.Start + take, run.End));
            }
            else if (run.End < HashSlot.SlotCount - 1 && owners[run.End + 1] == m)
            {
                var take = Math.Min(count, run.Count);
                Assign(owners, m, run.End - take + 1, take);
                count -= take;
                Replace(runs, i--, take == run.Count ? null : new SlotRange(run.Start, run.End - take));
            }
        }

        return count;
    }

    /// <summary>
    /// Gives member <paramref name="m"/> <paramref name="count"/> free slots away from its ranges (none of the runs
    /// left touches them): the smallest run that holds them all, else the largest whole, and again.
    /// </summary>
    private static void Take(int[] owners, List<SlotRange> runs, int m, int count)
    {
        while (count > 0)
        {
            var best = -1;
            for (var i = 0; i < runs.Count; i++)
            {
                if (runs[i].Count >= count && (best < 0 || runs[i].Count < runs[best].Count))
                {
                    best = i;
                }
            }

            if (best < 0)
            {
                best = 0;
                for (var i = 1; i < runs.Count; i++)
                {
                    if (runs[i].Count > runs[best].Count)
                    {
                        best = i;
                    }
                }
            }

            var run = runs[best];
            var take = Math.Min(count, run.Count);
            Assign(owners, m, run.Start, take);
            count -= take;
            Replace(runs, best, take == run.Count ? null : new SlotRange(run.Start + take, run.End));
        }
    }

    private static void Replace(List<SlotRange> runs, int i, SlotRange? rest)
    {
        if (rest is { } value)
        {
            runs[i] = value;
        }
        else
        {
            runs.RemoveAt(i);
        }
    }

    private static void Assign(int[] owners, int m, int start, int count) => Array.Fill(owners, m, start, count);
}
