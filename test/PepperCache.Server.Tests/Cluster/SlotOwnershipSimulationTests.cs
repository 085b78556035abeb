using System.Globalization;

namespace PepperCache.Server.Tests.Cluster;

/// <summary>
/// Randomized model tests of slot ownership (<see cref="SlotOwnershipSimulator"/>): joins, graceful leaves, crashes,
/// hand-overs as the rebalancer makes them, and gossip that is dropped, delayed and replayed, over 3 to 6
/// <c>ClusterState</c>s with no network. Every scenario is a seed; a failure prints it and the steps before it. To
/// replay one: <c>PEPPER_SLOTSIM_SEED=&lt;seed&gt;</c>; to search further: <c>PEPPER_SLOTSIM_SCENARIOS=&lt;n&gt;</c> and
/// <c>PEPPER_SLOTSIM_BASE=&lt;first seed&gt;</c> (docs/cluster.md, "Slot ownership").
/// </summary>
public sealed class SlotOwnershipSimulationTests
{
    private const int Scenarios = 12;
    private const int Steps = 300;
    private const int BaseSeed = 20261205;

    [Fact]
    public void SlotsStayWithTheirKeysThroughJoinsLeavesCrashesAndLostOrLateGossip() => RunScenarios(loseReplies: false);

    private static void RunScenarios(bool loseReplies)
    {
        loseReplies |= Environment.GetEnvironmentVariable("PEPPER_SLOTSIM_LOSE_REPLIES") == "1";
        var (first, count) = Seeds();
        var totals = new int[5];
        for (var seed = first; seed < first + count; seed++)
        {
            var simulator = new SlotOwnershipSimulator(seed) { LoseReplies = loseReplies };
            simulator.Run(Steps);
            totals[0] += simulator.HandOvers;
            totals[1] += simulator.Joins;
            totals[2] += simulator.Leaves;
            totals[3] += simulator.Crashes;
            totals[4] += simulator.Quiescences;
        }

        // The scenarios did what they are for: a simulator that stopped moving slots would pass every check.
        if (count >= 10)
        {
            Assert.All(totals, total => Assert.True(total >= count, $"hand-overs, joins, leaves, crashes, quiescent phases: {string.Join(", ", totals)}"));
        }
    }

    private static (int First, int Count) Seeds()
    {
        if (Environment.GetEnvironmentVariable("PEPPER_SLOTSIM_SEED") is { Length: > 0 } one)
        {
            return (int.Parse(one, CultureInfo.InvariantCulture), 1);
        }

        var first = Environment.GetEnvironmentVariable("PEPPER_SLOTSIM_BASE") is { Length: > 0 } b ? int.Parse(b, CultureInfo.InvariantCulture) : BaseSeed;
        var count = Environment.GetEnvironmentVariable("PEPPER_SLOTSIM_SCENARIOS") is { Length: > 0 } n ? int.Parse(n, CultureInfo.InvariantCulture) : Scenarios;
        return (first, count);
    }
}
