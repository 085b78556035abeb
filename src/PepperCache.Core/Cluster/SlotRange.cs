namespace PepperCache.Core.Cluster;

/// <summary>A run of consecutive slots, both ends inclusive, as CLUSTER SLOTS and CLUSTER SHARDS report them.</summary>
public readonly record struct SlotRange(int Start, int End)
{
    public int Count => End - Start + 1;

    public override string ToString() => Start == End ? $"{Start}" : $"{Start}-{End}";
}

/// <summary>One slot whose owner differs between two maps; <see cref="From"/> is null when the slot had no owner.</summary>
public readonly record struct SlotMove(int Slot, string? From, string To);
