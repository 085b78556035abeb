using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PepperCache.Core.Cluster;
using PepperCache.Protocol;

namespace PepperCache.Core.Tests;

/// <summary>
/// Balance, compactness and movement of <see cref="SlotMap"/> for one cluster size. Movement is the fraction of all
/// slots whose owner changes, over several trials; ratios are to the ideal (the newcomer's fair share 1/(N+1) on a
/// join, the leaver's 1/N on a leave).
/// </summary>
internal sealed record SlotMapFigures(
    int Nodes,
    double MaxOverMean,
    double MeanRanges,
    int MaxRanges,
    double JoinMoved,
    double JoinMeanRatio,
    double JoinWorstRatio,
    double LeaveMoved,
    double LeaveMeanRatio,
    double LeaveWorstRatio)
{
    public string ToMarkdownRow() => string.Create(
        CultureInfo.InvariantCulture,
        $"| {Nodes} | {MaxOverMean:F3} | {MeanRanges:F1} / {MaxRanges} | {JoinMoved:P2} vs {1.0 / (Nodes + 1):P2} | " +
        $"{JoinMeanRatio:F3}× / {JoinWorstRatio:F3}× | {LeaveMoved:P2} vs {1.0 / Nodes:P2} | {LeaveMeanRatio:F3}× / {LeaveWorstRatio:F3}× |");
}

internal static class SlotMapSimulation
{
    public const string MarkdownHeader =
        "| nodes | max/mean slots | ranges per node (mean / max) | moved on a join (mean) vs ideal | join ratio (mean / worst) | moved on a leave (mean) vs ideal | leave ratio (mean / worst) |\n" +
        "|---|---|---|---|---|---|---|";

    /// <summary>A 40-hex id like Redis's node ids, the same for the same <paramref name="ordinal"/> on every run.</summary>
    public static string NodeId(int ordinal) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"node-{ordinal}")).AsSpan(0, 20));

    public static string[] NodeIds(int count) => Enumerable.Range(0, count).Select(NodeId).ToArray();

    /// <summary>Figures for <paramref name="nodes"/> members over <paramref name="trials"/> joins (fresh ids) and leaves (spread members).</summary>
    public static SlotMapFigures Measure(int nodes, int trials, double headroom = SlotMap.Headroom)
    {
        var members = NodeIds(nodes);
        var map = SlotMap.Build(members, headroom);

        var counts = members.Select(map.SlotCountOf).ToArray();
        var ranges = members.Select(member => map.RangesOf(member).Count).ToArray();

        var joins = new double[trials];
        var leaves = new double[trials];
        for (var trial = 0; trial < trials; trial++)
        {
            joins[trial] = Moved(map, SlotMap.Build([.. members, NodeId(1_000_000 + trial)], headroom));
            var leaver = members[trial * nodes / trials];
            leaves[trial] = Moved(map, SlotMap.Build(members.Where(member => member != leaver).ToArray(), headroom));
        }

        var joinIdeal = 1.0 / (nodes + 1);
        var leaveIdeal = 1.0 / nodes;
        return new SlotMapFigures(
            nodes,
            counts.Max() / ((double)HashSlot.SlotCount / nodes),
            ranges.Average(),
            ranges.Max(),
            joins.Average(),
            joins.Average() / joinIdeal,
            joins.Max() / joinIdeal,
            leaves.Average(),
            leaves.Average() / leaveIdeal,
            leaves.Max() / leaveIdeal);
    }

    private static double Moved(SlotMap before, SlotMap after) =>
        (double)SlotMap.Diff(before, after).Count / HashSlot.SlotCount;
}
