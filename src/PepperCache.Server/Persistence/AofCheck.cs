using PepperCache.Protocol;

namespace PepperCache.Server.Persistence;

/// <summary><c>--aof-fix</c>: check appendonly.aof and truncate it at its last good record, saying how much goes.</summary>
internal static class AofCheck
{
    /// <returns>The process exit code: 0 when the file is (now) loadable, 1 when it cannot be read.</returns>
    public static async Task<int> FixAsync(string path, TextWriter output)
    {
        if (!File.Exists(path))
        {
            await output.WriteLineAsync($"AOF {path}: no such file, nothing to fix").ConfigureAwait(false);
            return 0;
        }

        AofScanResult result;
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            using var request = new RespRequest();
            result = await AofLoader.ReadAsync(file, request, execute: null).ConfigureAwait(false);
        }

        if (!result.IsCorrupt && !result.HasTornTail)
        {
            await output.WriteLineAsync($"AOF {path} is valid: {result.Commands} records, {result.FileLength} bytes").ConfigureAwait(false);
            return 0;
        }

        var lost = result.FileLength - result.GoodLength;
        var why = result.IsCorrupt ? $"bad format at byte offset {result.CorruptOffset} ({result.Error})" : $"last record cut short at byte offset {result.GoodLength}";
        await output.WriteLineAsync(
            $"AOF {path}: {why}; truncating to {result.GoodLength} bytes ({result.Commands} records kept, {lost} bytes removed)").ConfigureAwait(false);
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            file.SetLength(result.GoodLength);
            file.Flush(flushToDisk: true);
        }

        await output.WriteLineAsync("Successfully truncated AOF " + path).ConfigureAwait(false);
        return 0;
    }
}
