namespace PepperCache.Core.Storage;

/// <summary>
/// What a key holds. The numbers are Redis's <c>OBJ_*</c> type codes and are frozen: they are stored in every
/// entry and travel in AOF rewrites and slot-migration payloads (a golden-value test pins them).
/// </summary>
public enum DataType : byte
{
    String = 0,
    List = 1,
    Set = 2,
    SortedSet = 3,
    Hash = 4,
    Stream = 6,
}

/// <summary>Redis's names for the types, as TYPE and SCAN ... TYPE use them.</summary>
public static class DataTypeNames
{
    public static ReadOnlySpan<byte> Of(DataType type) => type switch
    {
        DataType.String => "string"u8,
        DataType.List => "list"u8,
        DataType.Set => "set"u8,
        DataType.SortedSet => "zset"u8,
        DataType.Hash => "hash"u8,
        DataType.Stream => "stream"u8,
        _ => "none"u8,
    };

    /// <summary>The type named <paramref name="name"/> (case-insensitive, as Redis's SCAN TYPE); false for any other name.</summary>
    public static bool TryParse(ReadOnlySpan<byte> name, out DataType type)
    {
        foreach (var candidate in (ReadOnlySpan<DataType>)[DataType.String, DataType.List, DataType.Set, DataType.SortedSet, DataType.Hash, DataType.Stream])
        {
            if (System.Text.Ascii.EqualsIgnoreCase(name, Of(candidate)))
            {
                type = candidate;
                return true;
            }
        }

        type = default;
        return false;
    }
}
