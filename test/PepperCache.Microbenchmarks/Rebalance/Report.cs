namespace PepperCache.Microbenchmarks.Rebalance;

/// <summary>Progress lines (timestamped) and the closing table of the rebalance benchmark.</summary>
internal static class Report
{
    public static void Line(string text) => Console.WriteLine($"[rebalance {DateTime.UtcNow:HH:mm:ss}] {text}");

    public static void Table(IReadOnlyList<(string Figure, string Value)> rows)
    {
        var width = rows.Max(r => r.Figure.Length);
        Console.WriteLine();
        foreach (var (figure, value) in rows)
        {
            Console.WriteLine($"  {figure.PadRight(width)}  {value}");
        }
    }
}
