namespace PepperCache.Core.Storage;

/// <summary>
/// One command's work on the collections of several keys (SINTER, SMOVE, SUNIONSTORE...), run by
/// <see cref="KeyValueStore.ExecuteMany{TOperation}"/> with every involved shard locked, so it is one atomic step.
/// A struct, like <see cref="IObjectOperation"/>; it may write its reply from inside.
/// </summary>
public interface IMultiObjectOperation
{
    /// <summary>Works on the keys through <paramref name="keys"/>, which reaches only the keys the call locked.</summary>
    void Apply(ObjectLookup keys);
}
