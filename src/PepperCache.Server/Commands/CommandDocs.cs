using System.Buffers;
using System.Text.Json;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

/// <summary>
/// COMMAND DOCS [name ...]: a map (a flat name/doc array in RESP2) of summary, since, group, complexity, history,
/// arguments and subcommands. redis-cli 7 asks for it at interactive start-up and builds its inline hints from the
/// arguments, so the shape follows Redis exactly: field names as bulk strings, argument flags as status strings.
/// A Redis command's doc is Redis 7.0's own (<see cref="CommandDocsData"/>), with only the subcommands PepperCache
/// has; a command of PepperCache's own is described from its declaration and <see cref="CommandSyntax"/>.
/// </summary>
internal static class CommandDocs
{
    public static void Docs(CommandContext context)
    {
        var table = context.Server.Commands;
        var commands = new List<CommandDefinition>();
        if (context.ArgumentCount == 2)
        {
            commands.AddRange(table.All);
        }
        else
        {
            for (var i = 2; i < context.ArgumentCount; i++)
            {
                if (CommandCommands.Find(table, context.Request.GetString(i)) is { } command)
                {
                    commands.Add(command);
                }
            }
        }

        var resp3 = context.Resp3;
        context.Output.WriteMapHeader(commands.Count, resp3);
        foreach (var command in commands)
        {
            context.Output.WriteBulkString(command.Name);
            WriteDoc(context.Output, command, resp3);
        }
    }

    private static void WriteDoc(IBufferWriter<byte> output, CommandDefinition command, bool resp3)
    {
        if (CommandDocsData.TryGet(command.Name, out var doc))
        {
            WriteRedisDoc(output, command, doc, resp3);
        }
        else
        {
            WriteDeclaredDoc(output, command, resp3);
        }
    }

    private static void WriteRedisDoc(IBufferWriter<byte> output, CommandDefinition command, JsonElement doc, bool resp3)
    {
        var fields = doc.EnumerateObject().Count(f => f.Name != "subcommands") + (command.Subcommands.Count > 0 ? 1 : 0);
        output.WriteMapHeader(fields, resp3);
        foreach (var field in doc.EnumerateObject())
        {
            if (field.Name != "subcommands")
            {
                output.WriteBulkString(field.Name);
                WriteValue(output, field.Name, field.Value, resp3);
            }
        }

        WriteSubcommands(output, command, resp3);
    }

    /// <summary>
    /// JSON back into Redis's types: objects are maps, flags and history are sets, flags hold status strings,
    /// key_spec_index is an integer (RESP2 flattens the maps and sets into arrays).
    /// </summary>
    private static void WriteValue(IBufferWriter<byte> output, string field, JsonElement value, bool resp3)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                output.WriteMapHeader(value.EnumerateObject().Count(), resp3);
                foreach (var member in value.EnumerateObject())
                {
                    output.WriteBulkString(member.Name);
                    WriteValue(output, member.Name, member.Value, resp3);
                }

                break;
            case JsonValueKind.Array:
                // Flags are sets of status strings; the history is a set of [version, change] pairs (Redis's
                // addReplyCommandHistory).
                var flags = field is "flags" or "doc_flags";
                if (flags || field == "history")
                {
                    output.WriteSetHeader(value.GetArrayLength(), resp3);
                }
                else
                {
                    output.WriteArrayHeader(value.GetArrayLength());
                }

                foreach (var item in value.EnumerateArray())
                {
                    if (flags)
                    {
                        output.WriteSimpleString(item.GetString()!);
                    }
                    else
                    {
                        // A history entry is an array again.
                        WriteValue(output, field == "history" ? "" : field, item, resp3);
                    }
                }

                break;
            case JsonValueKind.Number:
                output.WriteInteger(value.GetInt64());
                break;
            default:
                output.WriteBulkString(value.GetString()!);
                break;
        }
    }

    private static void WriteSubcommands(IBufferWriter<byte> output, CommandDefinition command, bool resp3)
    {
        if (command.Subcommands.Count > 0)
        {
            output.WriteBulkString("subcommands"u8);
            output.WriteMapHeader(command.Subcommands.Count, resp3);
            foreach (var subcommand in command.Subcommands)
            {
                output.WriteBulkString(subcommand.Name);
                WriteDoc(output, subcommand, resp3);
            }
        }
    }

    private static void WriteDeclaredDoc(IBufferWriter<byte> output, CommandDefinition command, bool resp3)
    {
        var arguments = CommandSyntax.ArgumentsOf(command.Name);
        var fields = 3 + (arguments.Count > 0 ? 1 : 0) + (command.Subcommands.Count > 0 ? 1 : 0);
        output.WriteMapHeader(fields, resp3);
        output.WriteBulkString("summary"u8);
        output.WriteBulkString(command.Summary);
        output.WriteBulkString("since"u8);
        output.WriteBulkString(command.Since);
        output.WriteBulkString("group"u8);
        output.WriteBulkString(command.Group);
        if (arguments.Count > 0)
        {
            output.WriteBulkString("arguments"u8);
            var keyIndex = 0;
            WriteArguments(output, arguments, command.KeySpecs.Length, ref keyIndex, resp3);
        }

        WriteSubcommands(output, command, resp3);
    }

    /// <summary>
    /// The arguments; the n-th key argument points at key spec n (the last spec for the rest), as Redis numbers them:
    /// RENAME's newkey, SMOVE's destination and SINTERSTORE's sources point at their own spec.
    /// </summary>
    private static void WriteArguments(IBufferWriter<byte> output, IReadOnlyList<CommandArgument> arguments, int keySpecs, ref int keyIndex, bool resp3)
    {
        output.WriteArrayHeader(arguments.Count);
        foreach (var argument in arguments)
        {
            var flagCount = (argument.Optional ? 1 : 0) + (argument.Multiple ? 1 : 0);
            var fields = 2 + (argument.Type == "key" ? 1 : 0) + (argument.Token is null ? 0 : 1) + (flagCount > 0 ? 1 : 0) +
                         (argument.Arguments.Count > 0 ? 1 : 0);
            output.WriteMapHeader(fields, resp3);
            output.WriteBulkString("name"u8);
            output.WriteBulkString(argument.Name);
            output.WriteBulkString("type"u8);
            output.WriteBulkString(argument.Type);
            if (argument.Type == "key")
            {
                output.WriteBulkString("key_spec_index"u8);
                output.WriteInteger(Math.Max(0, Math.Min(keyIndex++, keySpecs - 1)));
            }

            if (argument.Token is { } token)
            {
                output.WriteBulkString("token"u8);
                output.WriteBulkString(token);
            }

            if (flagCount > 0)
            {
                output.WriteBulkString("flags"u8);
                output.WriteSetHeader(flagCount, resp3);
                if (argument.Optional)
                {
                    output.WriteSimpleString("optional"u8);
                }

                if (argument.Multiple)
                {
                    output.WriteSimpleString("multiple"u8);
                }
            }

            if (argument.Arguments.Count > 0)
            {
                output.WriteBulkString("arguments"u8);
                WriteArguments(output, argument.Arguments, keySpecs, ref keyIndex, resp3);
            }
        }
    }
}
