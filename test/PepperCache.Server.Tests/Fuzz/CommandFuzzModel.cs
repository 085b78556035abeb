using System.Text;
using PepperCache.Server.Commands;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Tests.Fuzz;

/// <summary>One command or subcommand of the table, as the fuzzer calls it.</summary>
/// <param name="Words">The name as sent: <c>["get"]</c>, or parent and subcommand <c>["config", "set"]</c>.</param>
/// <param name="Definition">Its declaration: arity, flags, keys.</param>
/// <param name="Syntax">Its arguments from COMMAND DOCS' catalogue (empty when it has none there).</param>
/// <param name="Tokens">The keywords its syntax names (<c>EX</c>, <c>NX</c>, <c>WITHVALUES</c>...).</param>
internal sealed record FuzzCommand(string[] Words, CommandDefinition Definition, IReadOnlyList<CommandArgument> Syntax, byte[][] Tokens)
{
    public string FullName => Definition.Name;

    /// <remarks>WAIT blocks without Redis's blocking flag (for more replicas than there are, until its timeout).</remarks>
    public bool IsBlocking => (Definition.Flags & CommandFlags.Blocking) != 0 || Definition.Name == "wait";
}

/// <summary>
/// What the fuzzer knows, all read from the command table at start: every command and subcommand, their arity, key
/// positions and argument syntax. A family added to <see cref="CommandTable.CreateDefault"/> is fuzzed with no change
/// here. Commands are built from a tape of random numbers (the generated input), read front to back; a shorter tape
/// or smaller numbers give simpler commands, which is how CsCheck's shrinking simplifies a failing batch.
/// </summary>
internal sealed class CommandFuzzModel
{
    /// <summary>Prefix of every key the fuzzer names, so a failing batch is easy to read.</summary>
    public const string KeyPrefix = "fz:";

    private static readonly string[] Integers =
    [
        "0", "1", "-1", "2", "3", "5", "10", "100", "-100", "1000", "16384", "100000", "-100000", "-0", "+1", "01", " 1",
        "1 ", "1.5", "0x10", "", "1e3", "2147483647", "2147483648", "4294967296", "9223372036854775807",
        "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551616",
        "99999999999999999999999",
    ];

    // Valid but costly: a 512 MB string or bitmap (SETRANGE, SETBIT offsets), so drawn rarely. Large negative counts
    // are left out on purpose: HRANDFIELD key -2000000000 asks for two billion fields, and Redis answers it too.
    private static readonly string[] GiantIntegers = ["536870911", "536870912", "4294967295", "4294967296"];

    private static readonly string[] Doubles =
    [
        "0", "1.5", "-1.5", "0.1", "1e10", "1e308", "-1e308", "1e309", "1e-320", "inf", "-inf", "+inf", "Infinity", "nan",
        "-nan", "NaN", "1.", ".5", "1e", "5.0e3", "0x1p3", "17976931348623157e292", "-0", "-0.0", "3.14abc",
    ];

    private static readonly string[] Patterns =
    [
        "*", "?", "fz:*", "*fz*", "fz:?*", "[", "[a-", "[^a]*", "[a-z]*", "h\\*llo", "\\", "*\\", "[\\]]", "**********",
        "[z-a]", "fz:[!-~]*",
    ];

    private static readonly string[] Texts =
    [
        "", " ", "a", "fz", "value", "a b", "\"quoted\"", "'single'", "é", "\r\n", "\0", "a\0b", "\xff\xfe\xfd", "\t",
        "-", "--", "$1", "*1", "+OK", "-ERR", ":1", "yes", "no", "default", "on", "off", "nopass", "~*", "+@all", "allkeys",
        "&*", "resetpass", ">pw", "<pw", "#" + new string('a', 64), "%R~*", "maxmemory", "timeout", "hz", "proto-max-bulk-len",
        "client-output-buffer-limit", "normal 0 0 0", "maxmemory-policy", "allkeys-lru", "1mb", "0", "3", "4", "HELP",
    ];

    private readonly List<FuzzCommand> _commands = [];
    private readonly byte[][] _keys;
    private readonly Dictionary<string, FuzzCommand> _byName = new(StringComparer.OrdinalIgnoreCase);

    public CommandFuzzModel(CommandTable table, IEnumerable<string> seededKeys)
    {
        // MONITOR turns a connection into a stream of other connections' commands, so "one reply per command" cannot
        // hold for it; MonitorIntegrationTests compares it with redis-server instead. Nor for CLIENT REPLY, which
        // silences replies, or CLIENT PAUSE, which holds every connection's commands for as long as it is told:
        // ClientReplyIntegrationTests and ClientPauseIntegrationTests compare those with redis-server.
        foreach (var definition in table.All.Where(d => d.Name != "monitor").OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            Add([definition.Name], definition);
            foreach (var subcommand in definition.Subcommands.Where(s => s.Name is not ("client|reply" or "client|pause")))
            {
                Add([definition.Name, Subcommands.ShortName(subcommand)], subcommand);
            }
        }

        _keys = seededKeys
            .Concat([KeyPrefix + "missing", KeyPrefix + "new", "{" + KeyPrefix + "}tagged", KeyPrefix + "\0binary"])
            .Distinct()
            .Select(Encoding.Latin1.GetBytes)
            .ToArray();
    }

    public IReadOnlyList<FuzzCommand> Commands => _commands;

    public FuzzCommand this[string fullName] => _byName[fullName];

    /// <summary>One to <paramref name="maxCommands"/> commands read off <paramref name="tape"/>; a blocking command only ever last.</summary>
    public List<FuzzInvocation> BuildBatch(uint[] tape, int maxCommands)
    {
        var reader = new Tape(tape);
        var count = 1 + reader.Next(maxCommands);
        var batch = new List<FuzzInvocation>(count);
        for (var i = 0; i < count; i++)
        {
            var command = _commands[reader.Next(_commands.Count)];
            if (command.IsBlocking && i != count - 1)
            {
                continue;
            }

            batch.Add(new FuzzInvocation(command, BuildArguments(command, reader), Inline: reader.Next(10) == 0));
        }

        return batch;
    }

    private void Add(string[] words, CommandDefinition definition)
    {
        var syntax = CommandSyntax.ArgumentsOf(definition.Name);
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        CollectTokens(syntax, tokens);
        var command = new FuzzCommand(words, definition, syntax, tokens.Select(Encoding.ASCII.GetBytes).ToArray());
        _commands.Add(command);
        _byName[definition.Name] = command;
    }

    private static void CollectTokens(IReadOnlyList<CommandArgument> arguments, HashSet<string> tokens)
    {
        foreach (var argument in arguments)
        {
            if (argument.Token is { } token)
            {
                tokens.Add(token);
            }

            CollectTokens(argument.Arguments, tokens);
        }
    }

    private List<byte[]> BuildArguments(FuzzCommand command, Tape tape)
    {
        var arguments = command.Words.Select(w => Encoding.ASCII.GetBytes(CaseVariant(w, tape))).ToList();
        // Mostly by the syntax (reaching the handler's logic), sometimes any number of anything (reaching its checks).
        if (command.Syntax.Count > 0 && tape.Next(10) < 6)
        {
            foreach (var argument in command.Syntax)
            {
                Emit(argument, command, arguments, tape, depth: 0);
            }

            return arguments;
        }

        var arity = command.Definition.Arity;
        var wanted = arity >= 0
            ? (tape.Next(5) == 0 ? tape.Next(arity + 3) : arity)
            : (tape.Next(8) == 0 ? tape.Next(-arity) : -arity + Geometric(tape));
        while (arguments.Count < wanted)
        {
            arguments.Add(Value(command, "any", tape));
        }

        if (arguments.Count > wanted && wanted >= 1)
        {
            arguments.RemoveRange(wanted, arguments.Count - wanted);
        }

        return arguments;
    }

    private void Emit(CommandArgument argument, FuzzCommand command, List<byte[]> arguments, Tape tape, int depth)
    {
        if ((argument.Optional && tape.Next(2) == 0) || depth > 6)
        {
            return;
        }

        var repeats = argument.Multiple ? 1 + Geometric(tape) : 1;
        for (var r = 0; r < repeats; r++)
        {
            if (argument.Token is { } token)
            {
                arguments.Add(Encoding.ASCII.GetBytes(CaseVariant(token, tape)));
            }

            switch (argument.Type)
            {
                case "pure-token":
                    break;
                case "block":
                    foreach (var item in argument.Arguments)
                    {
                        Emit(item, command, arguments, tape, depth + 1);
                    }

                    break;
                case "oneof":
                    Emit(argument.Arguments[tape.Next(argument.Arguments.Count)] with { Optional = false }, command, arguments, tape, depth + 1);
                    break;
                default:
                    // One in ten values ignores its type: the handler must check what it parses.
                    arguments.Add(Value(command, tape.Next(10) == 0 ? "any" : argument.Type, tape));
                    break;
            }
        }
    }

    private byte[] Value(FuzzCommand command, string type, Tape tape)
    {
        switch (type)
        {
            case "key":
                return _keys[tape.Next(_keys.Length)];
            case "integer":
                return Integer(tape);
            case "unix-time":
                return tape.Next(2) == 0 ? Integer(tape) : Encoding.ASCII.GetBytes((1_767_225_600 + tape.Next(100_000) - 50_000).ToString(System.Globalization.CultureInfo.InvariantCulture));
            case "double":
                return tape.Next(3) == 0 ? Integer(tape) : Encoding.ASCII.GetBytes(Doubles[tape.Next(Doubles.Length)]);
            case "pattern":
                return Encoding.Latin1.GetBytes(Patterns[tape.Next(Patterns.Length)]);
            case "string":
                return tape.Next(4) == 0 ? _keys[tape.Next(_keys.Length)] : Text(tape);
        }

        return tape.Next(7) switch
        {
            0 or 1 => _keys[tape.Next(_keys.Length)],
            2 => Integer(tape),
            3 => Encoding.ASCII.GetBytes(Doubles[tape.Next(Doubles.Length)]),
            4 when command.Tokens.Length > 0 => command.Tokens[tape.Next(command.Tokens.Length)],
            5 => Encoding.Latin1.GetBytes(Patterns[tape.Next(Patterns.Length)]),
            _ => Text(tape),
        };
    }

    private static byte[] Integer(Tape tape) => Encoding.ASCII.GetBytes(
        tape.Next(1000) == 0 ? GiantIntegers[tape.Next(GiantIntegers.Length)] : Integers[tape.Next(Integers.Length)]);

    private static byte[] Text(Tape tape)
    {
        switch (tape.Next(20))
        {
            case 0:
                // Random bytes, any value.
                var bytes = new byte[tape.Next(16)];
                for (var i = 0; i < bytes.Length; i++)
                {
                    bytes[i] = (byte)tape.Next(256);
                }

                return bytes;
            case 1:
                return Encoding.ASCII.GetBytes(new string('x', tape.Next(2) == 0 ? 1000 : 70_000));
            default:
                return Encoding.Latin1.GetBytes(Texts[tape.Next(Texts.Length)]);
        }
    }

    private static int Geometric(Tape tape)
    {
        var n = 0;
        while (n < 8 && tape.Next(2) == 1)
        {
            n++;
        }

        return n;
    }

    private static string CaseVariant(string word, Tape tape) => tape.Next(4) switch
    {
        0 => word.ToUpperInvariant(),
        1 => word.ToLowerInvariant(),
        _ => word,
    };

    /// <summary>Reads the generated numbers in order; past the end every choice is the first (the simplest).</summary>
    private sealed class Tape(uint[] values)
    {
        private int _position;

        public int Next(int bound)
        {
            if (bound <= 1)
            {
                return 0;
            }

            var value = _position < values.Length ? values[_position] : 0;
            _position++;
            return (int)(value % (uint)bound);
        }
    }
}

/// <summary>One command of a batch: the arguments as sent (name included) and whether it goes as an inline line.</summary>
internal sealed record FuzzInvocation(FuzzCommand Command, List<byte[]> Arguments, bool Inline)
{
    /// <summary>
    /// Inline only where the arguments survive it: no blanks, quotes or line ends, none empty; and short, since a line
    /// cut by a read after 64 KB is a protocol error, as in Redis.
    /// </summary>
    public bool SendsInline => Inline && Arguments.Sum(a => a.Length) < 1024 && Arguments.All(a => a.Length > 0 && !a.AsSpan().ContainsAny(InlineBreakers));

    private static readonly System.Buffers.SearchValues<byte> InlineBreakers = System.Buffers.SearchValues.Create(" \t\r\n\"'\0"u8);

    public byte[] Encode()
    {
        var frame = new List<byte>();
        if (SendsInline)
        {
            for (var i = 0; i < Arguments.Count; i++)
            {
                if (i > 0)
                {
                    frame.Add((byte)' ');
                }

                frame.AddRange(Arguments[i]);
            }

            frame.AddRange("\r\n"u8.ToArray());
            return frame.ToArray();
        }

        frame.AddRange(Encoding.ASCII.GetBytes($"*{Arguments.Count}\r\n"));
        foreach (var argument in Arguments)
        {
            frame.AddRange(Encoding.ASCII.GetBytes($"${argument.Length}\r\n"));
            frame.AddRange(argument);
            frame.AddRange("\r\n"u8.ToArray());
        }

        return frame.ToArray();
    }

    public override string ToString() =>
        (SendsInline ? "(inline) " : "") + string.Join(' ', Arguments.Select(a => Show(a)));

    private static string Show(byte[] argument)
    {
        if (argument.Length > 40 && argument.AsSpan().IndexOfAnyExcept(argument[0]) < 0)
        {
            return $"\"[{argument.Length} x {(char)argument[0]}]\"";
        }

        var text = new StringBuilder("\"");
        foreach (var b in argument)
        {
            text.Append(b is >= 0x20 and < 0x7F and not (byte)'"' and not (byte)'\\' ? ((char)b).ToString() : $"\\x{b:X2}");
        }

        return text.Append('"').ToString();
    }
}
