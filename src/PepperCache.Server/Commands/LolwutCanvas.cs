namespace PepperCache.Server.Commands;

/// <summary>LOLWUT's canvas (Redis's lwCanvas): a grid of small colour numbers, 0 outside it.</summary>
internal sealed class LolwutCanvas
{
    private readonly byte[] _pixels;

    public LolwutCanvas(int width, int height, byte background)
    {
        Width = width;
        Height = height;
        _pixels = new byte[width * height];
        Array.Fill(_pixels, background);
    }

    public int Width { get; }

    public int Height { get; }

    public int this[int x, int y]
    {
        get => x < 0 || x >= Width || y < 0 || y >= Height ? 0 : _pixels[x + y * Width];
        set
        {
            if (x >= 0 && x < Width && y >= 0 && y < Height)
            {
                _pixels[x + y * Width] = (byte)value;
            }
        }
    }

    /// <summary>Bresenham's line, as lwDrawLine, in colour 1.</summary>
    public void DrawLine(int x1, int y1, int x2, int y2)
    {
        int dx = Math.Abs(x2 - x1), dy = Math.Abs(y2 - y1);
        int sx = x1 < x2 ? 1 : -1, sy = y1 < y2 ? 1 : -1;
        var err = dx - dy;
        while (true)
        {
            this[x1, y1] = 1;
            if (x1 == x2 && y1 == y2)
            {
                break;
            }

            var e2 = err * 2;
            if (e2 > -dy)
            {
                err -= dy;
                x1 += sx;
            }

            if (e2 < dx)
            {
                err += dx;
                y1 += sy;
            }
        }
    }

    /// <summary>A square centred on (x, y), <paramref name="size"/> wide, turned by <paramref name="angle"/> radians (lwDrawSquare).</summary>
    public void DrawSquare(int x, int y, float size, float angle)
    {
        // The square inscribed in a circle of radius 1 has sides of sqrt(2): size becomes the circle's radius.
        var radius = MathF.Round(size / 1.4142135623f, MidpointRounding.AwayFromZero);
        Span<int> px = stackalloc int[4];
        Span<int> py = stackalloc int[4];
        var k = MathF.PI / 4 + angle;
        for (var j = 0; j < 4; j++)
        {
            px[j] = (int)MathF.Round(MathF.Sin(k) * radius + x, MidpointRounding.AwayFromZero);
            py[j] = (int)MathF.Round(MathF.Cos(k) * radius + y, MidpointRounding.AwayFromZero);
            k += MathF.PI / 2;
        }

        for (var j = 0; j < 4; j++)
        {
            DrawLine(px[j], py[j], px[(j + 1) % 4], py[(j + 1) % 4]);
        }
    }
}
