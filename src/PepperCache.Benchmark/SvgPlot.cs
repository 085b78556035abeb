using System.Globalization;
using System.Net;
using System.Text;

namespace PepperCache.Benchmark;

/// <summary>
/// Latency percentile curves as a self-contained SVG: one panel per test, one line per target. The x axis spreads
/// the tail out ("nines": 0%, 90%, 99%, 99.9%...), the y axis is logarithmic in microseconds.
/// </summary>
internal static class SvgPlot
{
    private const int Width = 760;
    private const int PanelHeight = 320;
    private const int Left = 70;
    private const int Right = 150;
    private const int Top = 40;
    private const int Bottom = 50;
    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

    public static string Render(IReadOnlyList<Summary> summaries)
    {
        var tests = summaries.Select(s => s.Test).Distinct().ToList();
        var targets = summaries.Select(s => s.Target).Distinct().ToList();
        var svg = new StringBuilder();
        Append(svg, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Math.Max(1, tests.Count) * PanelHeight}\" viewBox=\"0 0 {Width} {Math.Max(1, tests.Count) * PanelHeight}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        Append(svg, $"<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        for (var t = 0; t < tests.Count; t++)
        {
            Panel(svg, t * PanelHeight, TableReport.Name(tests[t]), [.. summaries.Where(s => s.Test == tests[t])], targets);
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void Panel(StringBuilder svg, int offsetY, string title, List<Summary> lines, List<string> targets)
    {
        var curves = lines.Select(s => (s.Target, Points: Curve(s))).ToList();
        var all = curves.SelectMany(c => c.Points).ToList();
        var maxNines = Math.Max(1, all.Count > 0 ? all.Max(p => p.Nines) : 1);
        var lowest = Math.Max(1, all.Count > 0 ? all.Min(p => p.Micros) : 1);
        var highest = Math.Max(lowest * 10, all.Count > 0 ? all.Max(p => p.Micros) : 10);
        var yMin = Math.Floor(Math.Log10(lowest));
        var yMax = Math.Ceiling(Math.Log10(highest));
        var plotWidth = Width - Left - Right;
        var plotHeight = PanelHeight - Top - Bottom;
        double X(double nines) => Left + (nines / Math.Ceiling(maxNines) * plotWidth);
        double Y(double micros) => offsetY + Top + plotHeight - ((Math.Clamp(Math.Log10(Math.Max(micros, 1e-3)), yMin, yMax) - yMin) / (yMax - yMin) * plotHeight);

        Append(svg, $"<text x=\"{Left}\" y=\"{offsetY + 22}\" font-size=\"14\" font-weight=\"bold\">{Escape(title)}: latency by percentile</text>\n");
        Append(svg, $"<rect x=\"{Left}\" y=\"{offsetY + Top}\" width=\"{plotWidth}\" height=\"{plotHeight}\" fill=\"none\" stroke=\"#888\"/>\n");
        for (var n = 0; n <= Math.Ceiling(maxNines); n++)
        {
            var label = n == 0 ? "0%" : (100 - Math.Pow(10, 2 - n)).ToString("0.#####", CultureInfo.InvariantCulture) + "%";
            Append(svg, $"<line x1=\"{X(n):0.#}\" y1=\"{offsetY + Top}\" x2=\"{X(n):0.#}\" y2=\"{offsetY + Top + plotHeight}\" stroke=\"#eee\"/>\n");
            Append(svg, $"<text x=\"{X(n):0.#}\" y=\"{offsetY + Top + plotHeight + 16}\" text-anchor=\"middle\">{label}</text>\n");
        }

        for (var decade = yMin; decade <= yMax; decade++)
        {
            var y = Y(Math.Pow(10, decade));
            Append(svg, $"<line x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Left + plotWidth}\" y2=\"{y:0.#}\" stroke=\"#eee\"/>\n");
            Append(svg, $"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{Math.Pow(10, decade).ToString("#,0", CultureInfo.InvariantCulture)}</text>\n");
        }

        Append(svg, $"<text x=\"{Left + (plotWidth / 2)}\" y=\"{offsetY + PanelHeight - 12}\" text-anchor=\"middle\">percentile</text>\n");
        Append(svg, $"<text x=\"16\" y=\"{offsetY + Top + (plotHeight / 2)}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {offsetY + Top + (plotHeight / 2)})\">latency (µs, log)</text>\n");
        foreach (var (target, points) in curves)
        {
            var color = Colors[targets.IndexOf(target) % Colors.Length];
            var path = string.Join(' ', points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{X(p.Nines):0.##},{Y(p.Micros):0.##}")));
            Append(svg, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{path}\"/>\n");
            var legendY = offsetY + Top + 16 + (18 * targets.IndexOf(target));
            Append(svg, $"<line x1=\"{Left + plotWidth + 12}\" y1=\"{legendY - 4}\" x2=\"{Left + plotWidth + 32}\" y2=\"{legendY - 4}\" stroke=\"{color}\" stroke-width=\"2\"/>\n");
            Append(svg, $"<text x=\"{Left + plotWidth + 38}\" y=\"{legendY}\">{Escape(target)}</text>\n");
        }
    }

    /// <summary>Points every 0.05 "nines" up to what the sample count supports, then the maximum.</summary>
    internal static List<(double Nines, double Micros)> Curve(Summary summary)
    {
        var points = new List<(double, double)>();
        var histogram = summary.Latency;
        if (histogram.TotalCount == 0)
        {
            return points;
        }

        var limit = Math.Min(6, Math.Log10(histogram.TotalCount));
        for (var step = 0; step <= 120 && step * 0.05 <= limit; step++)
        {
            var nines = step * 0.05;
            points.Add((nines, Latency.PercentileMicros(histogram, 100 * (1 - Math.Pow(10, -nines)))));
        }

        points.Add((Math.Max(limit, 0.05), Latency.MaxMicros(histogram)));
        return points;
    }

    private static string Escape(string text) => WebUtility.HtmlEncode(text);

    private static void Append(StringBuilder svg, FormattableString text) => svg.Append(text.ToString(CultureInfo.InvariantCulture));
}
