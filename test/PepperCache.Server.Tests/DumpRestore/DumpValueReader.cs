using System.Text;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.DumpRestore;

/// <summary>
/// A key's value in a form two servers can be compared by: its type, encoding and content, with the members of a set
/// and the fields of a hash sorted (their order is a hash table's, which differs between servers).
/// </summary>
internal static class DumpValueReader
{
    public static async Task<string> DescribeAsync(RespFrameClient client, string key)
    {
        var type = Encoding.Latin1.GetString(await client.ExecuteAsync("TYPE", key));
        var encoding = Encoding.Latin1.GetString(await client.ExecuteAsync("OBJECT", "ENCODING", key));
        var content = type switch
        {
            "+string\r\n" => Raw(await client.ExecuteAsync("GET", key)),
            "+list\r\n" => Raw(await client.ExecuteAsync("LRANGE", key, "0", "-1")),
            "+zset\r\n" => Raw(await client.ExecuteAsync("ZRANGE", key, "0", "-1", "WITHSCORES")),
            "+set\r\n" => string.Join("|", Bulks(await client.ExecuteAsync("SMEMBERS", key)).Order(StringComparer.Ordinal)),
            "+hash\r\n" => string.Join("|", Pairs(Bulks(await client.ExecuteAsync("HGETALL", key))).Order(StringComparer.Ordinal)),
            _ => "",
        };
        // A string's encoding is OBJECT ENCODING's business, not DUMP's (RESTORE makes every string afresh).
        return type == "+string\r\n" ? $"string {content}" : $"{type.Trim()} {encoding.Trim()} {content}";
    }

    private static string Raw(byte[] frame) => Encoding.Latin1.GetString(frame);

    private static IEnumerable<string> Pairs(List<string> flat)
    {
        for (var i = 0; i + 1 < flat.Count; i += 2)
        {
            yield return flat[i] + "=" + flat[i + 1];
        }
    }

    /// <summary>The bulk strings of a RESP2 array of bulk strings.</summary>
    public static List<string> Bulks(byte[] frame)
    {
        var text = Encoding.Latin1.GetString(frame);
        var result = new List<string>();
        var p = text.IndexOf("\r\n", StringComparison.Ordinal) + 2;
        while (p < text.Length)
        {
            var end = text.IndexOf("\r\n", p, StringComparison.Ordinal);
            var length = int.Parse(text.AsSpan(p + 1, end - p - 1), System.Globalization.CultureInfo.InvariantCulture);
            result.Add(text.Substring(end + 2, length));
            p = end + 2 + length + 2;
        }

        return result;
    }

    /// <summary>The payload of a bulk-string reply; null for nil or an error.</summary>
    public static byte[]? Bulk(byte[] frame)
    {
        if (frame.Length == 0 || frame[0] != (byte)'$' || frame[1] == (byte)'-')
        {
            return null;
        }

        var end = Array.IndexOf(frame, (byte)'\r');
        return frame.AsSpan(end + 2, frame.Length - end - 4).ToArray();
    }
}
