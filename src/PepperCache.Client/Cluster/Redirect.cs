using System.Buffers.Text;
using System.Text;

namespace PepperCache.Client.Cluster;

/// <summary>The two redirects a cluster node answers with instead of running a command.</summary>
public enum RedirectKind
{
    /// <summary>The slot lives elsewhere for good: refresh the slot map and go there.</summary>
    Moved,

    /// <summary>The slot is being migrated and this key has left: ask the target once, after <c>ASKING</c>.</summary>
    Ask,
}

/// <summary>A parsed <c>MOVED 3999 127.0.0.1:6381</c> or <c>ASK 3999 127.0.0.1:6381</c> error reply.</summary>
/// <param name="Kind">MOVED or ASK.</param>
/// <param name="Slot">The key's hash slot.</param>
/// <param name="Host">The target's host; empty when the server does not know it (the node asked is on that host).</param>
/// <param name="Port">The target's RESP port.</param>
public readonly record struct Redirect(RedirectKind Kind, int Slot, string Host, int Port)
{
    /// <summary>The node to send the command to.</summary>
    public ClusterNode Target => new(Host, Port);

    /// <summary>Parses the text of an error reply (without the leading <c>-</c>).</summary>
    /// <returns>False for every other error, and for a redirect that does not parse (it is then shown as it is).</returns>
    public static bool TryParse(ReadOnlySpan<byte> error, out Redirect redirect)
    {
        redirect = default;
        RedirectKind kind;
        if (error.StartsWith("MOVED "u8))
        {
            kind = RedirectKind.Moved;
            error = error[6..];
        }
        else if (error.StartsWith("ASK "u8))
        {
            kind = RedirectKind.Ask;
            error = error[4..];
        }
        else
        {
            return false;
        }

        var space = error.IndexOf((byte)' ');
        if (space <= 0
            || !Utf8Parser.TryParse(error[..space], out int slot, out var consumed) || consumed != space
            || slot is < 0 or >= KeySlot.SlotCount)
        {
            return false;
        }

        // The port follows the last colon: an IPv6 host is written bare (MOVED 1 ::1:7000), as Redis writes it.
        var endpoint = error[(space + 1)..];
        var colon = endpoint.LastIndexOf((byte)':');
        if (colon < 0 || endpoint[..colon].Contains((byte)' ')
            || !Utf8Parser.TryParse(endpoint[(colon + 1)..], out int port, out consumed) || consumed != endpoint.Length - colon - 1
            || port is <= 0 or > 65535)
        {
            return false;
        }

        redirect = new Redirect(kind, slot, Encoding.UTF8.GetString(endpoint[..colon]), port);
        return true;
    }
}
