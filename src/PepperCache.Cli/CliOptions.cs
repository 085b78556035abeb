using System.Globalization;

namespace PepperCache.Cli;

/// <summary>pepper-cli's flags; what follows them is a one-shot command.</summary>
internal sealed class CliOptions
{
    public const string Usage = """
        Usage of pepper-cli:
          pepper-cli [flags] [command [arg ...]]

          -help
            	show this help
          -node string
            	node address (default "127.0.0.1")
          -port int
            	cache port (default 9004)
          -raw
            	print replies without types, numbering or quotes

        Flags may be written -port 9004, --port 9004 or --port=9004. With a command, it is sent once, the
        reply printed, and the exit code is 1 when the reply is an error. Without one, commands are read from
        stdin: interactively with a prompt on a terminal, line by line otherwise.
        """;

    public string Node { get; private set; } = "127.0.0.1";

    public int Port { get; private set; } = 9004;

    public bool Raw { get; private set; }

    public bool Help { get; private set; }

    /// <summary>The one-shot command, empty for a session.</summary>
    public IReadOnlyList<string> Command { get; private set; } = [];

    /// <returns>The options, or null with <paramref name="error"/> set for a bad flag.</returns>
    public static CliOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        var options = new CliOptions();
        error = null;
        var i = 0;
        for (; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-') || arg.Length < 2)
            {
                break;
            }

            var name = arg.TrimStart('-');
            string? value = null;
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }

            switch (name)
            {
                case "help" or "h":
                    options.Help = true;
                    break;
                case "raw":
                    options.Raw = true;
                    break;
                case "node" or "port":
                    if (value is null)
                    {
                        if (i + 1 >= args.Count)
                        {
                            error = $"flag needs an argument: -{name}";
                            return null;
                        }

                        value = args[++i];
                    }

                    if (name == "node")
                    {
                        options.Node = value;
                    }
                    else if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535)
                    {
                        options.Port = port;
                    }
                    else
                    {
                        error = $"invalid value \"{value}\" for flag -port: parse error";
                        return null;
                    }

                    break;
                default:
                    error = $"flag provided but not defined: -{name}";
                    return null;
            }
        }

        options.Command = [.. args.Skip(i)];
        return options;
    }
}
