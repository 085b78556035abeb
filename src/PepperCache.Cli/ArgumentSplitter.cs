using System.Text;

namespace PepperCache.Cli;

/// <summary>
/// Splits a typed line into arguments as redis-cli does (<c>sdssplitargs</c>): whitespace separates, "double quotes"
/// understand <c>\xHH</c>, <c>\n \r \t \b \a</c> and escape any other character, 'single quotes' understand only
/// <c>\'</c>, and a closing quote must be followed by whitespace or the end of the line.
/// </summary>
internal static class ArgumentSplitter
{
    /// <returns>The arguments as bytes (text is UTF-8), or null when the quotes do not balance.</returns>
    public static List<byte[]>? Split(string line)
    {
        var input = Encoding.UTF8.GetBytes(line);
        var arguments = new List<byte[]>();
        var current = new List<byte>();
        var p = 0;
        while (true)
        {
            while (p < input.Length && IsSpace(input[p]))
            {
                p++;
            }

            if (p >= input.Length)
            {
                return arguments;
            }

            current.Clear();
            if (!TrySplitOne(input, ref p, current))
            {
                return null;
            }

            arguments.Add([.. current]);
        }
    }

    private static bool TrySplitOne(byte[] input, ref int p, List<byte> current)
    {
        var inDouble = false;
        var inSingle = false;
        while (true)
        {
            if (inDouble || inSingle)
            {
                if (p >= input.Length)
                {
                    return false;
                }

                var c = input[p];
                if (inDouble && c == '\\' && p + 3 < input.Length && input[p + 1] == 'x' && IsHex(input[p + 2]) && IsHex(input[p + 3]))
                {
                    current.Add((byte)((HexValue(input[p + 2]) << 4) | HexValue(input[p + 3])));
                    p += 3;
                }
                else if (inDouble && c == '\\' && p + 1 < input.Length)
                {
                    p++;
                    current.Add(input[p] switch
                    {
                        (byte)'n' => (byte)'\n',
                        (byte)'r' => (byte)'\r',
                        (byte)'t' => (byte)'\t',
                        (byte)'b' => (byte)'\b',
                        (byte)'a' => (byte)'\a',
                        var other => other,
                    });
                }
                else if (inSingle && c == '\\' && p + 1 < input.Length && input[p + 1] == '\'')
                {
                    p++;
                    current.Add((byte)'\'');
                }
                else if ((inDouble && c == '"') || (inSingle && c == '\''))
                {
                    p++;
                    return p >= input.Length || IsSpace(input[p]);
                }
                else
                {
                    current.Add(c);
                }
            }
            else if (p >= input.Length || IsSpace(input[p]))
            {
                return true;
            }
            else if (input[p] == '"')
            {
                inDouble = true;
            }
            else if (input[p] == '\'')
            {
                inSingle = true;
            }
            else
            {
                current.Add(input[p]);
            }

            p++;
        }
    }

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';

    private static bool IsHex(byte c) => char.IsAsciiHexDigit((char)c);

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        _ => c - 'A' + 10,
    };
}
