using System.Diagnostics.CodeAnalysis;

namespace PepperCache.Core.Storage;

/// <summary>
/// A command met a key holding another type than it works on. Raised from inside the store, before anything
/// changed, and turned into Redis's WRONGTYPE reply where commands are dispatched: one check for every command,
/// instead of a status threaded through each store method. Only error paths pay for the throw.
/// </summary>
public sealed class WrongTypeException : Exception
{
    public const string Text = "WRONGTYPE Operation against a key holding the wrong kind of value";

    public WrongTypeException()
        : base(Text)
    {
    }

    public WrongTypeException(string message)
        : base(message)
    {
    }

    public WrongTypeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    [DoesNotReturn]
    public static void Throw() => throw new WrongTypeException();
}
