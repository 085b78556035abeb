using System.Globalization;
using System.Text.RegularExpressions;

namespace PepperCache.Microbenchmarks.Rebalance;

/// <summary>
/// Reads a node's log for events 4101 (<c>Rebalance started</c>) and 4102 (<c>Rebalance done: S slots, K keys, B
/// bytes moved in D ms</c>). Reading a log
/// file is far cheaper than polling <c>GET /cluster/nodes</c> (whose reply lists thousands of ranges per member), so
/// the driver watches the logs to see a move end and only then asks the nodes.
/// </summary>
internal sealed partial class RebalanceLog
{
    private readonly string _path;
    private long _offset;

    public RebalanceLog(string path) => _path = path;

    /// <summary>Rebalances started since the last <see cref="Skip"/>.</summary>
    public int Started { get; private set; }

    /// <summary>Rebalances reported done since the last <see cref="Skip"/>.</summary>
    public List<(int Slots, long Keys, long DurationMs)> Done { get; } = [];

    /// <summary>Forgets everything logged so far.</summary>
    public void Skip()
    {
        _offset = File.Exists(_path) ? new FileInfo(_path).Length : 0;
        Done.Clear();
        Started = 0;
    }

    /// <summary>Reads what was logged since the last call.</summary>
    public void Poll()
    {
        if (!File.Exists(_path))
        {
            return;
        }

        using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        file.Seek(_offset, SeekOrigin.Begin);
        using var reader = new StreamReader(file);
        var text = reader.ReadToEnd();
        // Only whole lines; a line being written is read next time.
        var end = text.LastIndexOf('\n');
        if (end < 0)
        {
            return;
        }

        _offset += reader.CurrentEncoding.GetByteCount(text.AsSpan(0, end + 1));
        Started += StartedLine().Count(text.AsSpan(0, end + 1));
        foreach (Match match in DoneLine().Matches(text[..(end + 1)]))
        {
            Done.Add((
                int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
                long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture),
                long.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture)));
        }
    }

    [GeneratedRegex("Rebalance started: ")]
    private static partial Regex StartedLine();

    [GeneratedRegex(@"Rebalance done: (\d+) slots, (\d+) keys, \d+ bytes moved in (\d+) ms")]
    private static partial Regex DoneLine();
}
