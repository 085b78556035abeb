using System.Buffers.Binary;
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
/// <remarks>
/// Every gossip message carries the sender's plan. The digest is computed from the encoded form (ids and runs, a few
/// hundred bytes as ranges), so a receiver tells whether a plan beats its own without expanding it to 16,384 owners:
/// most messages carry the plan the receiver already has.
/// </remarks>
internal sealed class SlotTarget
{
    private SlotTarget(long epoch, string[] owners, string[] members, ulong digest)
    {
        Epoch = epoch;
        Owners = owners;
        Members = members.ToHashSet(StringComparer.Ordinal);
        Digest = digest;
    }

    public long Epoch { get; }

    /// <summary>The owner id of every slot.</summary>
    public string[] Owners { get; }

    /// <summary>The members the plan gives slots to.</summary>
    public HashSet<string> Members { get; }

    public ulong Digest { get; }

    /// <summary>The first plan, or the next one for <paramref name="members"/>, from <paramref name="current"/> owners.</summary>
    public static SlotTarget Plan(long epoch, IReadOnlyList<string?> current, IReadOnlyCollection<string> members)
    {
        var owners = SlotPlanner.Next(current, members);
        var data = Encode(epoch, owners);
        return new SlotTarget(epoch, owners, data.Owners, DigestOf(data));
    }

    /// <summary>Whether this plan should replace <paramref name="other"/>.</summary>
    public bool Beats(SlotTarget? other) => Beats(Epoch, Digest, other);

    /// <summary>Whether the encoded plan <paramref name="data"/> should replace <paramref name="other"/>: read without expanding it.</summary>
    public static bool Beats(SlotTargetData data, SlotTarget? other) => Beats(data.Epoch, DigestOf(data), other);

    private static bool Beats(long epoch, ulong digest, SlotTarget? other) =>
        other is null || epoch > other.Epoch || (epoch == other.Epoch && digest > other.Digest);

    /// <summary>As ranges: the owner ids, and per run of slots its first slot and owner index. Bytes grow with ranges.</summary>
    public SlotTargetData Encode() => Encode(Epoch, Owners);

    private static SlotTargetData Encode(long epoch, string[] owners)
    {
        var ids = owners.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var index = ids.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i, StringComparer.Ordinal);
        var runs = new List<int>();
        for (var slot = 0; slot < owners.Length; slot++)
        {
            if (slot == 0 || owners[slot] != owners[slot - 1])
            {
                runs.Add(slot);
                runs.Add(index[owners[slot]]);
            }
        }

        return new SlotTargetData(epoch, ids, [.. runs]);
    }

    /// <summary>A hash of the encoded form (ids and runs): the same plan always encodes the same way.</summary>
    private static ulong DigestOf(SlotTargetData data)
    {
        var hash = new XxHash64();
        foreach (var id in data.Owners ?? [])
        {
            hash.Append(Encoding.UTF8.GetBytes(id ?? ""));
            hash.Append([0]);
        }

        Span<byte> value = stackalloc byte[4];
        foreach (var run in data.Runs ?? [])
        {
            BinaryPrimitives.WriteInt32LittleEndian(value, run);
            hash.Append(value);
        }

        return hash.GetCurrentHashAsUInt64();
    }

    /// <summary>Reads <see cref="Encode"/>'s form; null when it is malformed or its epoch out of range.</summary>
    public static SlotTarget? Decode(SlotTargetData? data)
    {
        if (data?.Owners is null || data.Runs is null || data.Epoch is < 1 or > SlotTable.MaxEpochValue ||
            data.Runs.Length < 2 || data.Runs.Length % 2 != 0 || data.Runs[0] != 0)
        {
            return null;
        }

        var owners = new string[HashSlot.SlotCount];
        var used = new bool[data.Owners.Length];
        for (var i = 0; i < data.Runs.Length; i += 2)
        {
            var start = data.Runs[i];
            var end = i + 2 < data.Runs.Length ? data.Runs[i + 2] : HashSlot.SlotCount;
            var owner = data.Runs[i + 1];
            if (end <= start || end > HashSlot.SlotCount || owner < 0 || owner >= data.Owners.Length || string.IsNullOrEmpty(data.Owners[owner]))
            {
                return null;
            }

            used[owner] = true;
            Array.Fill(owners, data.Owners[owner], start, end - start);
        }

        // Every id named must own a run, and ids are distinct: then Members is exactly the plan's owners.
        if (Array.Exists(used, u => !u) || data.Owners.Distinct(StringComparer.Ordinal).Count() != data.Owners.Length)
        {
            return null;
        }

        return new SlotTarget(data.Epoch, owners, data.Owners, DigestOf(data));
    }
}

/// <summary>A slot plan on the wire and on disk: its epoch, the owner ids, and [first slot, owner index] per run.</summary>
internal sealed record SlotTargetData(long Epoch, string[] Owners, int[] Runs);
