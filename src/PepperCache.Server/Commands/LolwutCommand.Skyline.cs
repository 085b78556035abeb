using System.Text;
using PepperCache.Protocol;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

/// <summary>LOLWUT VERSION 6 (lolwut6.c): a city skyline, one terminal cell a pixel, in four greys.</summary>
internal static partial class LolwutCommand
{
    private static void Skyline(CommandContext context, int first)
    {
        if (!TryGetSize(context, first, 80, 1, 1000, out var columns) || !TryGetSize(context, first + 1, 20, 1, 1000, out var rows))
        {
            return;
        }

        var canvas = new LolwutCanvas(columns, rows, 3);
        DrawSkyline(canvas, Random.Shared);
        var text = new StringBuilder();
        for (var y = 0; y < canvas.Height; y++)
        {
            for (var x = 0; x < canvas.Width; x++)
            {
                // Black, the two greys, white: a space on that background.
                var colour = canvas[x, y] switch
                {
                    1 => "0;90;100m",
                    2 => "0;37;47m",
                    3 => "0;97;107m",
                    _ => "0;30;40m",
                };
                text.Append("\u001b[").Append(colour).Append(" \u001b[0m");
            }

            if (y != canvas.Height - 1)
            {
                text.Append('\n');
            }
        }

        text.Append("\nDedicated to the 8 bit game developers of past and present.\nOriginal 8 bit image from Plaguemon by hikikomori. Redis ver. ")
            .Append(ServerState.RedisVersion).Append('\n');
        context.Output.WriteVerbatim(text.ToString(), context.Resp3);
    }

    /// <summary>Two rows of window-less towers in the greys, the lighter behind, then black towers with windows in front.</summary>
    private static void DrawSkyline(LolwutCanvas canvas, Random random)
    {
        for (var colour = 2; colour >= 1; colour--)
        {
            for (var offset = -10; offset < canvas.Width;)
            {
                offset += random.Next(8);
                var width = 10 + random.Next(9);
                var height = canvas.Height / 2 + random.Next(canvas.Height) / (colour == 2 ? 2 : 3);
                DrawTower(canvas, random, offset, width, height, colour, windows: false);
                offset += colour == 2 ? width / 2 : width + 1;
            }
        }

        for (var offset = -10; offset < canvas.Width;)
        {
            offset += random.Next(8);
            var width = 5 + random.Next(14);
            if (width % 4 != 0)
            {
                width += width % 3;
            }

            DrawTower(canvas, random, offset, width, canvas.Height / 3 + random.Next(canvas.Height) / 2, 0, windows: true);
            offset += width + 5;
        }
    }

    private static void DrawTower(LolwutCanvas canvas, Random random, int left, int width, int height, int colour, bool windows)
    {
        var bottom = canvas.Height - 1;
        var top = bottom - height + 1;
        for (var y = bottom; y >= top; y--)
        {
            for (var x = left; x < left + width; x++)
            {
                // The roof is four pixels narrower.
                if (y == top && (x <= left + 1 || x >= left + width - 2))
                {
                    continue;
                }

                var pixel = colour;
                if (windows && x > left + 1 && x < left + width - 2 && y > top + 1 && y < bottom - 1)
                {
                    int relx = x - (left + 1), rely = y - (top + 1);
                    // Windows two pixels wide and one tall (terminal cells are not square), both halves one colour.
                    if (relx / 2 % 2 != 0 && rely % 2 != 0)
                    {
                        do
                        {
                            pixel = 1 + random.Next(2);
                        }
                        while (pixel == colour);

                        if (relx % 2 != 0)
                        {
                            pixel = canvas[x - 1, y];
                        }
                    }
                }

                canvas[x, y] = pixel;
            }
        }
    }
}
