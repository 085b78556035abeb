using System.Globalization;
using System.Text;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Sets;

/// <summary>
/// Sets moving with their slots: members, encodings (intset and hashtable) and absolute expiries arrive intact, a set
/// changed between the pre-copy and the freeze is sent again (an intset then turns hashtable), and the new owner's
/// AOF brings the moved sets back after a crash.
/// </summary>
public sealed class SetMigrationIntegrationTests
{
    [Fact]
    public Task SetsSurviveARebalanceWithTheirExpiryAndTheNewOwnersRestart() =>
        CollectionMigrationScenario.RunAsync(
            DataType.Set,
            "ms",
            (i, encodings) =>
            {
                // Small intsets; every tenth a big intset turned hashtable (over 512 members), every tenth but five a
                // hashtable of binary members.
                var set = new SetObject();
                for (var m = 0; m < (i % 10 == 0 ? 600 : 5); m++)
                {
                    set.Add(Encoding.UTF8.GetBytes((m * 3).ToString(CultureInfo.InvariantCulture)), encodings);
                }

                if (i % 10 == 5)
                {
                    set.Add("\0binary\xff"u8, encodings);
                }

                return set;
            },
            (value, encodings) => ((SetObject)value).Add("added after the pre-copy"u8, encodings),
            value => Contents((SetObject)value));

    private static string Contents(SetObject set)
    {
        var members = new List<string>();
        foreach (var member in set)
        {
            members.Add(Convert.ToHexString(member.ToArray()));
        }

        members.Sort(StringComparer.Ordinal);
        return string.Join(",", members);
    }
}
