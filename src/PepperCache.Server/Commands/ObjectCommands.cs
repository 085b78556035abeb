using PepperCache.Core.Storage;
using PepperCache.Protocol;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>OBJECT ENCODING | FREQ | IDLETIME | REFCOUNT | HELP: what the store knows about a key's value.</summary>
/// <remarks>None of them counts as a use of the key (Redis's LOOKUP_NOTOUCH).</remarks>
internal static class ObjectCommands
{
    private const string PolicySwitchNote =
        "Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

    private static readonly string[] HelpLines =
    [
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
    ];

    public static CommandDefinition Definition { get; } = new(
        "object", -2, None, 0, 0, 0, Subcommands.Dispatch, "generic", "A container for object introspection commands.", "2.2.3")
    {
        Subcommands =
        [
            Sub("object|encoding", Encoding, "Returns the internal encoding of a Redis object.") with { Tips = ["nondeterministic_output"] },
            Sub("object|freq", Frequency, "Returns the logarithmic access frequency counter of a Redis object.", "4.0.0") with { Tips = ["nondeterministic_output"] },
            Sub("object|idletime", IdleTime, "Returns the time since the last access to a Redis object.") with { Tips = ["nondeterministic_output"] },
            Sub("object|refcount", RefCount, "Returns the reference count of a value of a key.") with { Tips = ["nondeterministic_output"] },
            new("object|help", 2, Loading | Stale, 0, 0, 0, Help, "generic", "Returns helpful text about the different subcommands.", "6.2.0"),
        ],
    };

    private static CommandDefinition Sub(string name, CommandHandler handler, string summary, string since = "2.2.3") =>
        new(name, 3, ReadOnly, 2, 2, 1, handler, "generic", summary, since) { KeyAccess = KeyAccess.None };

    private static void Encoding(CommandContext context)
    {
        if (Describe(context) is { } key)
        {
            context.Output.WriteBulkString(key.Encoding);
        }
    }

    // FREQ and IDLETIME look the key up before they check the policy, as Redis does: a missing key is nil under any policy.
    private static void Frequency(CommandContext context)
    {
        if (Describe(context) is not { } key)
        {
            return;
        }

        if (!context.Store.Memory.Policy.UsesFrequency())
        {
            context.WriteError("ERR An LFU maxmemory policy is not selected, access frequency not tracked. " + PolicySwitchNote);
            return;
        }

        context.Output.WriteInteger(key.Frequency);
    }

    private static void IdleTime(CommandContext context)
    {
        if (Describe(context) is not { } key)
        {
            return;
        }

        if (context.Store.Memory.Policy.UsesFrequency())
        {
            context.WriteError("ERR An LFU maxmemory policy is selected, idle time not tracked. " + PolicySwitchNote);
            return;
        }

        context.Output.WriteInteger(key.IdleMs / 1000);
    }

    /// <summary>
    /// 1, except where Redis shares one object among keys: small integers (0-9999), which Redis shares unless a limit
    /// is set under an LRU or LFU policy (those need per-key access bits), report its OBJ_SHARED_REFCOUNT, as clients
    /// comparing with Redis see there. Redis decides when the value is written; this answers from the settings now.
    /// </summary>
    private static void RefCount(CommandContext context)
    {
        if (Describe(context) is not { } key)
        {
            return;
        }

        var memory = context.Store.Memory;
        var shared = key.Integer is >= 0 and < 10000
                     && (memory.MaxMemory == 0 || memory.Policy is EvictionPolicy.NoEviction or EvictionPolicy.AllKeysRandom
                         or EvictionPolicy.VolatileRandom or EvictionPolicy.VolatileTtl);
        context.Output.WriteInteger(shared ? int.MaxValue : 1);
    }

    private static void Help(CommandContext context) => Subcommands.WriteHelp(context, "OBJECT", HelpLines);

    /// <summary>The key's description, or null with the nil reply written when it does not exist.</summary>
    private static KeyDescription? Describe(CommandContext context)
    {
        if (context.Store.TryDescribe(context.Argument(2), out var description))
        {
            return description;
        }

        context.Output.WriteNull(context.Resp3);
        return null;
    }
}
