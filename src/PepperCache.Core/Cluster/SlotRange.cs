namespace PepperCache.Core.Cluster;

/// <summary>A run of consecutive slots, both ends inclusive, as CLUSTER SLOTS and CLUSTER SHARDS report them.</summary>
public readonly record struct SlotRange(int Start, int End)
{
    public int Count => End - Start + 1;

    public override string ToString() => Start == End ? $"{Start}" : $"{Start}-{End}";

    /// <summary>Each owner's ranges, in slot order, from one walk over the owner of every slot (null: none).</summary>
    public static Dictionary<string, List<SlotRange>> ByOwner(ReadOnlySpan<string?> owners)
    {
        var ranges = new Dictionary<string, List<SlotRange>>(StringComparer.Ordinal);
        var start = 0;
        for (var slot = 1; slot <= owners.Length; slot++)
        {
            if (slot < owners.Length && string.Equals(owners[slot], owners[start], StringComparison.Ordinal))
            {
                continue;
            }

            if (owners[start] is { } owner)
            {
                if (!ranges.TryGetValue(owner, out var list))
                {
                    ranges[owner] = list = [];
                }

                list.Add(new SlotRange(start, slot - 1));
            }

            start = slot;
        }

        return ranges;
    }
}

/// <summary>One slot whose owner differs between two maps; <see cref="From"/> is null when the slot had no owner.</summary>
public readonly record struct SlotMove(int Slot, string? From, string To);
