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
          -node string (or -h)
            	node address (default "127.0.0.1")
          -port int (or -p)
            	cache port (default 9004)
          -c
            	cluster mode: follow MOVED and ASK redirects to the node that owns the key
          -a string
            	password sent with AUTH on every connection
          -user string
            	user name for AUTH (with -a)
          -no-auth-warning
            	do not warn that -a puts the password on the command line
          -r int
            	send the command this many times (-1: until interrupted)
          -i float
            	with -r, seconds to wait between repetitions (fractions allowed: -i 0.1)
          -raw
            	print replies without types, numbering or quotes

        Flags may be written -port 9004, --port 9004 or --port=9004. With a command, it is sent once (or -r
        times), each reply printed, and the exit code is 1 when a reply is an error. Without one, commands are
        read from stdin: interactively with a prompt on a terminal, line by line otherwise.
        """;

    public string Node { get; private set; } = "127.0.0.1";

    public int Port { get; private set; } = 9004;

    public bool Raw { get; private set; }

    public bool Help { get; private set; }

    /// <summary>-c: follow MOVED/ASK redirects as redis-cli -c does.</summary>
    public bool Cluster { get; private set; }

    public string? Password { get; private set; }

    public string? User { get; private set; }

    public bool NoAuthWarning { get; private set; }

    /// <summary>-r: how many times to send the command; negative for ever.</summary>
    public long Repeat { get; private set; } = 1;

    /// <summary>-i: the pause between repetitions.</summary>
    public TimeSpan Interval { get; private set; }

    /// <summary>The one-shot command, empty for a session.</summary>
    public IReadOnlyList<string> Command { get; private set; } = [];

    /// <returns>The options, or null with <paramref name="error"/> set for a bad flag.</returns>
    public static CliOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
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
                case "help":
                    options.Help = true;
                    continue;
                case "raw":
                    options.Raw = true;
                    continue;
                case "c":
                    options.Cluster = true;
                    continue;
                case "no-auth-warning":
                    options.NoAuthWarning = true;
                    continue;
                case "node" or "h" or "port" or "p" or "a" or "pass" or "user" or "r" or "i":
                    break;
                default:
                    error = $"flag provided but not defined: -{name}";
                    return null;
            }

            if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    error = $"flag needs an argument: -{name}";
                    return null;
                }

                value = args[++i];
            }

            if (!options.TrySet(name, value))
            {
                error = $"invalid value \"{value}\" for flag -{name}: parse error";
                return null;
            }
        }

        options.Command = [.. args.Skip(i)];
        return options;
    }

    private bool TrySet(string name, string value)
    {
        switch (name)
        {
            case "node" or "h":
                Node = value;
                return true;
            case "port" or "p" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535:
                Port = port;
                return true;
            case "a" or "pass":
                Password = value;
                return true;
            case "user":
                User = value;
                return true;
            case "r" when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var repeat):
                Repeat = repeat;
                return true;
            case "i" when double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && seconds <= TimeSpan.MaxValue.TotalSeconds:
                Interval = TimeSpan.FromSeconds(seconds);
                return true;
            default:
                return false;
        }
    }
}
