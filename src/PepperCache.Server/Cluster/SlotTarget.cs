using System.IO.Hashing;
using System.Text;
using PepperCache.Core.Cluster;
using PepperCache.Protocol;

namespace PepperCache.Server.Cluster;

/// <summary>
/// Where every slot should be: the plan the rebalancer works towards, made by <see cref="SlotPlanner"/> from the
/// previous plan, so it is history-dependent and must be agreed. Each plan has an epoch; members adopt a plan with a
/// higher epoch, and of two plans with the same epoch (two members planned at once) the one with the larger digest,
/// so any two members settle the same way. Immutable.
/// </summary>
internal sealed class SlotTarget
{
    private SlotTarget(long epoch, string[] owners)
    {
        Epoch = epoch;
        Owners = owners;
        Members = owners.ToHashSet(StringComparer.Ordinal);
        var hash = new XxHash64();
        foreach (var owner in owners)
        {
            hash.Append(Encoding.ASCII.GetBytes(owner));
        }

        Digest = hash.GetCurrentHashAsUInt64();
    }

    public long Epoch { get; }

    /// <summary>The owner id of every slot.</summary>
    public string[] Owners { get; }

    /// <summary>The members the plan gives slots to.</summary>
    public HashSet<string> Members { get; }

    public ulong Digest { get; }

    /// <summary>The first plan, or the next one for <paramref name="members"/>, from <paramref name="current"/> owners.</summary>
    public static SlotTarget Plan(long epoch, IReadOnlyList<string?> current, IReadOnlyCollection<string> members) =>
        new(epoch, SlotPlanner.Next(current, members));

    /// <summary>Whether this plan should replace <paramref name="other"/>.</summary>
    public bool Beats(SlotTarget? other) =>
        other is null || Epoch > other.Epoch || (Epoch == other.Epoch && Digest > other.Digest);

    /// <summary>As ranges: the owner ids, and per run of slots its first slot and owner index. Bytes grow with ranges.</summary>
    public SlotTargetData Encode()
    {
        var ids = Members.Order(StringComparer.Ordinal).ToArray();
        var index = ids.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i, StringComparer.Ordinal);
        var runs = new List<int>();
        for (var slot = 0; slot < Owners.Length; slot++)
        {
            if (slot == 0 || Owners[slot] != Owners[slot - 1])
            {
                runs.Add(slot);
                runs.Add(index[Owners[slot]]);
            }
        }

        return new SlotTargetData(Epoch, ids, [.. runs]);
    }

    /// <summary>Reads <see cref="Encode"/>'s form; null when it is malformed or its epoch out of range.</summary>
    public static SlotTarget? Decode(SlotTargetData? data)
    {
        if (data is null || data.Epoch is < 1 or > SlotTable.MaxEpochValue || data.Runs.Length < 2 || data.Runs.Length % 2 != 0 || data.Runs[0] != 0)
        {
            return null;
        }

        var owners = new string[HashSlot.SlotCount];
        for (var i = 0; i < data.Runs.Length; i += 2)
        {
            var start = data.Runs[i];
            var end = i + 2 < data.Runs.Length ? data.Runs[i + 2] : HashSlot.SlotCount;
            var owner = data.Runs[i + 1];
            if (end <= start || end > HashSlot.SlotCount || owner < 0 || owner >= data.Owners.Length || string.IsNullOrEmpty(data.Owners[owner]))
            {
                return null;
            }

            Array.Fill(owners, data.Owners[owner], start, end - start);
        }

        return new SlotTarget(data.Epoch, owners);
    }
}

/// <summary>A slot plan on the wire and on disk: its epoch, the owner ids, and [first slot, owner index] per run.</summary>
internal sealed record SlotTargetData(long Epoch, string[] Owners, int[] Runs);
