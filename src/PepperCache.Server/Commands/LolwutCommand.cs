using System.Text;
using PepperCache.Protocol;
using PepperCache.Server.Resp;
using static PepperCache.Server.Resp.CommandFlags;

namespace PepperCache.Server.Commands;

/// <summary>
/// LOLWUT [VERSION v [args...]], as Redis 7.0's lolwut.c: version 5 draws Georg Nees's Schotter in braille, version 6
/// a skyline in terminal colours (<c>LolwutCommand.Skyline.cs</c>), any other (and no VERSION) only the version line.
/// The drawings are random, so only their shape (lines, characters per line, the caption) matches Redis's.
/// </summary>
internal static partial class LolwutCommand
{
    public static CommandDefinition Definition { get; } =
        new("lolwut", -1, ReadOnly | Fast, 0, 0, 0, Lolwut, "server", "Displays computer art and the Redis version.", "5.0.0");

    private static void Lolwut(CommandContext context)
    {
        // As Redis: VERSION needs its value, else the arguments are ignored; the number is printed as "%u.0.0".
        var first = 1;
        var version = 7u;
        if (context.ArgumentCount >= 3 && context.ArgumentIs(1, "VERSION"u8))
        {
            if (!context.TryGetInt64OrReply(2, out var asked))
            {
                return;
            }

            version = unchecked((uint)asked);
            first = 3;
        }

        switch (version)
        {
            case 5:
                Schotter(context, first);
                break;
            case 6:
                Skyline(context, first);
                break;
            default:
                context.Output.WriteVerbatim("Redis ver. " + ServerState.RedisVersion + "\n", context.Resp3);
                break;
        }
    }

    /// <summary>Optional integer argument <paramref name="index"/>, clamped to [min, max] as Redis clamps it.</summary>
    private static bool TryGetSize(CommandContext context, int index, long fallback, long min, long max, out int size)
    {
        size = 0;
        var value = fallback;
        if (index < context.ArgumentCount && !context.TryGetInt64OrReply(index, out value))
        {
            return false;
        }

        size = (int)Math.Clamp(value, min, max);
        return true;
    }

    /// <summary>lolwut5.c: squares in rows, turned and shifted more the lower the row, in braille (2x4 pixels a character).</summary>
    private static void Schotter(CommandContext context, int first)
    {
        if (!TryGetSize(context, first, 66, 1, 1000, out var columns)
            || !TryGetSize(context, first + 1, 8, 1, 200, out var perRow)
            || !TryGetSize(context, first + 2, 12, 1, 200, out var perColumn))
        {
            return;
        }

        var width = columns * 2;
        var padding = width > 4 ? 2 : 0;
        var side = (float)(width - padding * 2) / perRow;
        var canvas = new LolwutCanvas(width, (int)(side * perColumn + padding * 2), 0);
        var random = System.Random.Shared;
        for (var y = 0; y < perColumn; y++)
        {
            for (var x = 0; x < perRow; x++)
            {
                var sx = (int)(x * side + side / 2 + padding);
                var sy = (int)(y * side + side / 2 + padding);
                var angle = 0f;
                if (y > 1)
                {
                    float Offset() => random.NextSingle() / perColumn * y * (random.Next(2) == 0 ? 1 : -1);
                    angle = Offset();
                    sx += (int)(Offset() * side / 3);
                    sy += (int)(Offset() * side / 3);
                }

                canvas.DrawSquare(sx, sy, side, angle);
            }
        }

        var text = new StringBuilder();
        for (var y = 0; y < canvas.Height; y += 4)
        {
            for (var x = 0; x < canvas.Width; x += 2)
            {
                // The braille dots' bit order (lwTranslatePixelsGroup): the left column's top three, the right's, then both bottoms.
                var dots = canvas[x, y] | canvas[x, y + 1] << 1 | canvas[x, y + 2] << 2 | canvas[x + 1, y] << 3
                    | canvas[x + 1, y + 1] << 4 | canvas[x + 1, y + 2] << 5 | canvas[x, y + 3] << 6 | canvas[x + 1, y + 3] << 7;
                text.Append((char)(0x2800 + dots));
            }

            if (y != canvas.Height - 1)
            {
                text.Append('\n');
            }
        }

        text.Append("\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. ").Append(ServerState.RedisVersion).Append('\n');
        context.Output.WriteVerbatim(text.ToString(), context.Resp3);
    }
}
