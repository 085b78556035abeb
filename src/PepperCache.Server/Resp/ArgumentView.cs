using PepperCache.Protocol;

namespace PepperCache.Server.Resp;

/// <summary>
/// A command's arguments as a window on a request: the request itself (offset 0), or the command that ACL DRYRUN
/// names inside its own arguments (offset 3). A struct, so checking permissions allocates nothing.
/// </summary>
internal readonly struct ArgumentView(RespRequest request, int offset)
{
    public int Count => request.Count - offset;

    /// <summary>Argument <paramref name="index"/> of the command (0 is its name).</summary>
    public ReadOnlySpan<byte> this[int index] => request[offset + index];

    /// <summary>Position of argument <paramref name="index"/> in the underlying request.</summary>
    public int RequestIndex(int index) => offset + index;
}
