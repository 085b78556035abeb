using System.Globalization;
using System.Text;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.SortedSets;

/// <summary>
/// Sorted sets moving with their slots: members, exact scores (-0, inf, 0.1), encodings and absolute expiries arrive
/// intact, a set changed between the pre-copy and the freeze is sent again, and the new owner's AOF brings the moved
/// sets back after a crash.
/// </summary>
public sealed class SortedSetMigrationIntegrationTests
{
    [Fact]
    public Task SortedSetsSurviveARebalanceWithTheirExpiryAndTheNewOwnersRestart() =>
        CollectionMigrationScenario.RunAsync(
            DataType.SortedSet,
            "mz",
            (i, encodings) =>
            {
                // Small listpack sets; every tenth a skiplist (over 128 members, or a long member).
                var set = new SortedSetObject();
                for (var f = 0; f < (i % 10 == 0 ? 300 : 3); f++)
                {
                    set.Set(Encoding.UTF8.GetBytes($"m{f}\0"), (f % 7) * 0.1, encodings);
                }

                if (i % 10 == 5)
                {
                    set.Set(new byte[100], double.NegativeInfinity, encodings);
                }

                set.Set("negative zero"u8, -0.0, encodings);
                set.Set("top"u8, double.PositiveInfinity, encodings);
                return set;
            },
            (value, encodings) => ((SortedSetObject)value).Set("added after the pre-copy"u8, DateTime.UtcNow.Ticks, encodings),
            value => Contents((SortedSetObject)value));

    private static string Contents(SortedSetObject set)
    {
        // In order, each score as its exact bits (so -0 and 0 differ).
        var items = new List<string>();
        var walker = set.WalkFrom(0, reverse: false);
        while (walker.MoveNext())
        {
            items.Add(Convert.ToHexString(walker.Member) + "=" + BitConverter.DoubleToInt64Bits(walker.Score).ToString("X", CultureInfo.InvariantCulture));
        }

        return string.Join(",", items);
    }
}
