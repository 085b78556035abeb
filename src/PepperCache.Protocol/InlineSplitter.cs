namespace PepperCache.Protocol;

/// <summary>
/// Splits an inline command line into arguments the way Redis's <c>sdssplitargs</c> does: whitespace separates,
/// "double quotes" understand <c>\xHH</c>, <c>\n \r \t \b \a</c> and <c>\c</c>, 'single quotes' understand <c>\'</c>,
/// and a closing quote must be followed by whitespace or the end of the line.
/// </summary>
internal static class InlineSplitter
{
    private const string Unbalanced = "unbalanced quotes in request";

    /// <param name="line">
    /// The line without its LF and the one CR before it, as Redis hands it to <c>sdssplitargs</c>. It holds no NUL
    /// byte (the parser never completes such a line), so its end plays the part of C's terminating NUL.
    /// </param>
    /// <param name="output">Where unescaped arguments are written; as long as <paramref name="line"/>.</param>
    /// <param name="outputBase">Offset of <paramref name="output"/> within the request's argument source.</param>
    /// <param name="request">The request the arguments are added to.</param>
    public static void Split(ReadOnlySpan<byte> line, Span<byte> output, int outputBase, RespRequest request)
    {
        var p = 0;
        var o = 0;
        while (true)
        {
            while (p < line.Length && IsSpace(line[p]))
            {
                p++;
            }

            if (p >= line.Length)
            {
                return;
            }

            var argStart = o;
            var inDouble = false;
            var inSingle = false;
            var done = false;
            while (!done)
            {
                if (inDouble)
                {
                    if (p >= line.Length)
                    {
                        RespProtocolException.Throw(Unbalanced);
                    }

                    var c = line[p];
                    if (c == '\\' && p + 3 < line.Length && line[p + 1] == 'x' && IsHex(line[p + 2]) && IsHex(line[p + 3]))
                    {
                        output[o++] = (byte)((HexValue(line[p + 2]) << 4) | HexValue(line[p + 3]));
                        p += 3;
                    }
                    else if (c == '\\' && p + 1 < line.Length)
                    {
                        p++;
                        output[o++] = line[p] switch
                        {
                            (byte)'n' => (byte)'\n',
                            (byte)'r' => (byte)'\r',
                            (byte)'t' => (byte)'\t',
                            (byte)'b' => (byte)'\b',
                            (byte)'a' => (byte)'\a',
                            var other => other,
                        };
                    }
                    else if (c == '"')
                    {
                        if (p + 1 < line.Length && !IsSpace(line[p + 1]))
                        {
                            RespProtocolException.Throw(Unbalanced);
                        }

                        done = true;
                    }
                    else
                    {
                        output[o++] = c;
                    }
                }
                else if (inSingle)
                {
                    if (p >= line.Length)
                    {
                        RespProtocolException.Throw(Unbalanced);
                    }

                    var c = line[p];
                    if (c == '\\' && p + 1 < line.Length && line[p + 1] == '\'')
                    {
                        p++;
                        output[o++] = (byte)'\'';
                    }
                    else if (c == '\'')
                    {
                        if (p + 1 < line.Length && !IsSpace(line[p + 1]))
                        {
                            RespProtocolException.Throw(Unbalanced);
                        }

                        done = true;
                    }
                    else
                    {
                        output[o++] = c;
                    }
                }
                else if (p >= line.Length)
                {
                    done = true;
                }
                else
                {
                    switch (line[p])
                    {
                        case (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or 0:
                            done = true;
                            break;
                        case (byte)'"':
                            inDouble = true;
                            break;
                        case (byte)'\'':
                            inSingle = true;
                            break;
                        default:
                            output[o++] = line[p];
                            break;
                    }
                }

                if (p < line.Length)
                {
                    p++;
                }
            }

            request.AddArgument(outputBase + argStart, o - argStart);
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
