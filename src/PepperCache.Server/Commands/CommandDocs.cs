using System.Buffers;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

/// <summary>
/// COMMAND DOCS [name ...]: a map (a flat name/doc array in RESP2) of summary, since, group, arguments and
/// subcommands. redis-cli 7 asks for it at interactive start-up and builds its inline hints from the arguments, so
/// the shape follows Redis exactly: field names as bulk strings, argument flags as status strings.
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

        context.Output.WriteArrayHeader(commands.Count * 2);
        foreach (var command in commands)
        {
            context.Output.WriteBulkString(command.Name);
            WriteDoc(context.Output, command);
        }
    }

    private static void WriteDoc(IBufferWriter<byte> output, CommandDefinition command)
    {
        var arguments = CommandSyntax.ArgumentsOf(command.Name);
        var fields = 3 + (arguments.Count > 0 ? 1 : 0) + (command.Subcommands.Count > 0 ? 1 : 0);
        output.WriteArrayHeader(fields * 2);
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
            WriteArguments(output, arguments, command.KeySpecs.Length, ref keyIndex);
        }

        if (command.Subcommands.Count > 0)
        {
            output.WriteBulkString("subcommands"u8);
            output.WriteArrayHeader(command.Subcommands.Count * 2);
            foreach (var subcommand in command.Subcommands)
            {
                output.WriteBulkString(subcommand.Name);
                WriteDoc(output, subcommand);
            }
        }
    }

    /// <summary>
    /// The arguments; the n-th key argument points at key spec n (the last spec for the rest), as Redis numbers them:
    /// RENAME's newkey, SMOVE's destination and SINTERSTORE's sources point at their own spec.
    /// </summary>
    private static void WriteArguments(IBufferWriter<byte> output, IReadOnlyList<CommandArgument> arguments, int keySpecs, ref int keyIndex)
    {
        output.WriteArrayHeader(arguments.Count);
        foreach (var argument in arguments)
        {
            var flagCount = (argument.Optional ? 1 : 0) + (argument.Multiple ? 1 : 0);
            var fields = 2 + (argument.Type == "key" ? 1 : 0) + (argument.Token is null ? 0 : 1) + (flagCount > 0 ? 1 : 0) +
                         (argument.Arguments.Count > 0 ? 1 : 0);
            output.WriteArrayHeader(fields * 2);
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
                output.WriteArrayHeader(flagCount);
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
                WriteArguments(output, argument.Arguments, keySpecs, ref keyIndex);
            }
        }
    }
}
