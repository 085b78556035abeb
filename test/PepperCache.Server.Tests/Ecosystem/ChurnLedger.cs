using System.Globalization;

namespace PepperCache.Server.Tests.Ecosystem;

/// <summary>
/// What one client saw while the cluster changed under it: the same JSON the Python and Node.js drivers print
/// (test/clients/cluster_churn.py, test/node/cluster-churn.mjs), so every client is judged by one rule.
/// </summary>
/// <param name="Passes">Rounds of "set every key, then read every key back".</param>
/// <param name="Errors">The first few error messages (connection refused, timeouts, CLUSTERDOWN...).</param>
/// <param name="Nils">Keys that read nil after a write of them was acknowledged: a lost key.</param>
/// <param name="Wrong">The first few reads that returned a value the client never wrote for that key, or an older one than it last had acknowledged.</param>
/// <param name="FirstBadMs">Unix time (ms) of the first error, nil or wrong value; 0 if none.</param>
/// <param name="LastBadMs">Unix time (ms) of the last one; 0 if none.</param>
/// <param name="FinalClean">After the change, a whole pass ran without any error, nil or wrong value.</param>
public sealed record ChurnReport(
    string Client,
    int Passes,
    int SetOk,
    int GetOk,
    int ErrorCount,
    List<string> Errors,
    List<string> Nils,
    int WrongCount,
    List<string> Wrong,
    long FirstBadMs,
    long LastBadMs,
    bool FinalClean)
{
    public override string ToString() =>
        $"{Client}: {Passes} passes, {SetOk} sets and {GetOk} reads ok, {ErrorCount} errors [{string.Join(" | ", Errors)}], " +
        $"{Nils.Count} nils, {WrongCount} wrong [{string.Join(" | ", Wrong)}], bad from {FirstBadMs} to {LastBadMs}, final pass clean: {FinalClean}";
}

/// <summary>
/// The judge for one client's keys, as the scripts implement it too. Values are <c>key|generation</c>; a read is
/// right when it names its own key and a generation between the last one whose SET was acknowledged and the last one
/// attempted (a SET that failed may or may not have landed). Nil after an acknowledged SET is a lost key: expected
/// only for the keys of a node killed with kill -9 (a cache without replicas), which the test checks.
/// </summary>
internal sealed class ChurnLedger
{
    private const int Kept = 5;
    private readonly long[] _acked;
    private readonly long[] _attempted;
    private readonly List<string> _errors = [];
    private readonly List<string> _nils = [];
    private readonly List<string> _wrong = [];
    private int _passes, _setOk, _getOk, _errorCount, _wrongCount;
    private long _firstBad, _lastBad;
    private bool _passClean;

    // When set, what goes wrong in this pass is dated here instead of when it is seen (see DateFrom).
    private long _datedAt;

    public ChurnLedger(string client, string prefix, int count)
    {
        Client = client;
        Keys = [.. Enumerable.Range(0, count).Select(i => $"{prefix}:{i}")];
        _acked = new long[count];
        _attempted = new long[count];
    }

    public string Client { get; }

    public string[] Keys { get; }

    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public static string ValueOf(string key, long generation) => $"{key}|{generation.ToString(CultureInfo.InvariantCulture)}";

    public void BeginPass()
    {
        _passClean = true;
        _datedAt = 0;
    }

    /// <summary>
    /// Dates what goes wrong in the rest of this pass at <paramref name="at"/>, not when it is seen: a command-line
    /// tool (redis-cli, redis-benchmark) reports only when it exits, up to 8 s after it started, so its failure is
    /// dated by its start, when it met the cluster as it was then. A run started after the cluster recovered and
    /// failing still counts after it.
    /// </summary>
    public void DateFrom(long at) => _datedAt = at;

    /// <summary>Ends a pass; true when it saw no error, nil or wrong value.</summary>
    public bool EndPass()
    {
        _passes++;
        return _passClean;
    }

    public void Attempted(int key, long generation) => _attempted[key] = generation;

    public void Acknowledged(int key, long generation)
    {
        _acked[key] = generation;
        _setOk++;
    }

    public void Error(string message)
    {
        _errorCount++;
        if (_errors.Count < Kept)
        {
            _errors.Add(message);
        }

        Bad();
    }

    public void Read(int key, string? value)
    {
        if (value is null)
        {
            if (_acked[key] > 0)
            {
                _nils.Add(Keys[key]);
                Bad();
            }
            else
            {
                _getOk++;
            }

            return;
        }

        var bar = value.LastIndexOf('|');
        if (bar > 0 && value[..bar] == Keys[key] && long.TryParse(value[(bar + 1)..], CultureInfo.InvariantCulture, out var generation) &&
            generation >= _acked[key] && generation <= _attempted[key])
        {
            _getOk++;
            return;
        }

        _wrongCount++;
        if (_wrong.Count < Kept)
        {
            _wrong.Add($"{Keys[key]} read '{value}' (acknowledged {_acked[key]}, attempted {_attempted[key]})");
        }

        Bad();
    }

    public ChurnReport Report(bool finalClean) =>
        new(Client, _passes, _setOk, _getOk, _errorCount, _errors, _nils, _wrongCount, _wrong, _firstBad, _lastBad, finalClean);

    private void Bad()
    {
        _passClean = false;
        var at = _datedAt != 0 ? _datedAt : Now;
        _lastBad = Math.Max(_lastBad, at);
        if (_firstBad == 0)
        {
            _firstBad = at;
        }
    }
}
