using System.Globalization;
using System.Text;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Hashes;

/// <summary>
/// Hashes moving with their slots: contents, encodings and absolute expiries arrive intact, a hash changed between
/// the pre-copy and the freeze is sent again, and the new owner's AOF brings the moved hashes back after a crash.
/// </summary>
public sealed class HashMigrationIntegrationTests
{
    [Fact]
    public Task HashesSurviveARebalanceWithTheirExpiryAndTheNewOwnersRestart() =>
        CollectionMigrationScenario.RunAsync(
            DataType.Hash,
            "mh",
            (i, encodings) =>
            {
                // Small listpack hashes; every tenth a hashtable (over 512 fields, or a long value).
                var hash = new HashObject();
                for (var f = 0; f < (i % 10 == 0 ? 600 : 3); f++)
                {
                    hash.Set(Encoding.UTF8.GetBytes($"f{f}\0"), Encoding.UTF8.GetBytes($"v{i}.{f}"), encodings);
                }

                if (i % 10 == 5)
                {
                    hash.Set("long"u8, new byte[100], encodings);
                }

                return hash;
            },
            (value, encodings) => ((HashObject)value).Set(
                "added after the pre-copy"u8, Encoding.ASCII.GetBytes(DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture)), encodings),
            value => Contents((HashObject)value));

    private static string Contents(HashObject hash)
    {
        var pairs = new List<string>();
        foreach (var pair in hash)
        {
            pairs.Add(Convert.ToHexString(HashObject.FieldOf(pair)) + "=" + Convert.ToHexString(HashObject.ValueOf(pair)));
        }

        pairs.Sort(StringComparer.Ordinal);
        return string.Join(",", pairs);
    }
}
