using System.Globalization;
using System.Text;

namespace PepperCache.Server.Tests.DumpRestore;

/// <summary>
/// Values of every type and size DUMP/RESTORE tests build on both servers: each case is the commands that make the
/// value at a key, deterministic (a fixed seed), so Redis and a node hold the same thing. <see cref="Identical"/> says
/// whether redis-server's DUMP bytes can be expected from the node (docs/commands.md "DUMP and RESTORE").
/// </summary>
public sealed record DumpCase(string Name, bool Identical, Func<string, List<byte[][]>> Build)
{
    public override string ToString() => Name;

    private static byte[] B(string text) => Encoding.Latin1.GetBytes(text);

    private static byte[][] Command(params object[] parts) =>
        parts.Select(p => p is byte[] bytes ? bytes : B(Convert.ToString(p, CultureInfo.InvariantCulture)!)).ToArray();

    private static DumpCase String(string name, byte[] value) => new(name, true, key => [Command("SET", key, value)]);

    private static DumpCase Many(string name, bool identical, string command, Func<int, object[]> element, int count, int perCommand = 100) =>
        new(name, identical, key =>
        {
            var commands = new List<byte[][]>();
            for (var start = 0; start < count; start += perCommand)
            {
                var parts = new List<object> { command, key };
                for (var i = start; i < Math.Min(count, start + perCommand); i++)
                {
                    parts.AddRange(element(i));
                }

                commands.Add(Command([.. parts]));
            }

            return commands;
        });

    private static string Text(int seed, int length, string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789")
    {
        var random = new Random(seed);
        return new string(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
    }

    private static byte[] Binary(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static IEnumerable<DumpCase> All()
    {
        foreach (var n in new[] { "0", "1", "-1", "127", "128", "-128", "-129", "32767", "32768", "-32768", "-32769",
                     "2147483647", "2147483648", "-2147483648", "-2147483649", "9223372036854775807", "-9223372036854775808",
                     "99999999999999999999", "007", "-0", "+1", "1.5", " 1" })
        {
            yield return String("string " + n, B(n));
        }

        yield return String("string empty", []);
        yield return String("string 20 bytes", B(new string('a', 20)));
        yield return String("string 21 compressible", B(new string('a', 21)));
        yield return String("string 21 incompressible", B(Text(1, 21)));
        yield return String("string 100 text", B(Text(2, 100, "abc")));
        yield return String("string 5000 repetitive", B(string.Concat(Enumerable.Repeat("hello world ", 420))));
        yield return String("string 70000 mixed", B(Text(3, 70000, "aaaaaaaaabcdefgh ")));
        yield return String("string binary 300", Binary(4, 300));
        yield return String("string all bytes", Enumerable.Range(0, 256).Select(i => (byte)i).ToArray());
        yield return new DumpCase("string appended integer", true, key => [Command("SET", key, "12"), Command("APPEND", key, "34")]);
        yield return new DumpCase("hyperloglog sparse", true, key => [Command("PFADD", key, "a", "b", "c")]);
        yield return Many("hyperloglog dense", true, "PFADD", i => [i], 5000, 500);

        yield return new DumpCase("hash one field", true, key => [Command("HSET", key, "f", "v")]);
        yield return new DumpCase("hash integers", true, key => [Command("HSET", key, "1", "-1", "200", "70000", "-5000", "9223372036854775807", "x", "-9223372036854775808")]);
        yield return Many("hash 512 fields (listpack limit)", true, "HSET", i => ["field:" + i, i * 7], 512);
        yield return Many("hash 513 fields (hashtable)", false, "HSET", i => ["field:" + i, "v" + i], 513);
        yield return new DumpCase("hash 64-byte value", true, key => [Command("HSET", key, "f", new string('x', 64))]);
        yield return new DumpCase("hash 65-byte value", false, key => [Command("HSET", key, "f", new string('x', 65), "g", "1")]);
        yield return new DumpCase("hash after HDEL", true, key => [Command("HSET", key, "a", "1", "b", "2", "c", "3"), Command("HDEL", key, "b")]);

        yield return new DumpCase("set intset small", true, key => [Command("SADD", key, "3", "1", "2")]);
        yield return new DumpCase("set intset 32-bit", true, key => [Command("SADD", key, "1", "-70000", "40000")]);
        yield return new DumpCase("set intset 64-bit", true, key => [Command("SADD", key, "-9223372036854775808", "0", "9223372036854775807")]);
        yield return Many("set intset 512 (limit)", true, "SADD", i => [i * 3 - 700], 512);
        yield return Many("set 513 integers (hashtable)", false, "SADD", i => [i], 513);
        yield return new DumpCase("set strings", false, key => [Command("SADD", key, "a", "b", "1", "12345678901234567890123")]);

        yield return new DumpCase("zset scores", true, key => [Command("ZADD", key, "1", "a", "-2", "b", "0.5", "c", "inf", "d", "-inf", "e",
            "1e17", "f", "3.141592653589793", "g", "-0", "h", "4503599627370496", "i", "100000", "j", "1e-300", "k")]);
        yield return new DumpCase("zset integer members", true, key => [Command("ZADD", key, "1", "10", "2", "-300", "3", "70000")]);
        yield return Many("zset 128 (listpack limit)", true, "ZADD", i => [i * 0.25, "member:" + i], 128);
        yield return Many("zset 129 (skiplist)", true, "ZADD", i => [i % 7, "member:" + i], 129);
        yield return new DumpCase("zset long member (skiplist)", true, key => [Command("ZADD", key, "1", new string('m', 65), "2", "b", "-inf", "c", "inf", "d")]);
        yield return Many("zset 2000 (skiplist)", true, "ZADD", i => [(i * 37 % 1000) / 3.0, "m" + i], 2000, 200);
        yield return new DumpCase("geo", true, key => [Command("GEOADD", key, "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania")]);

        yield return new DumpCase("list one", true, key => [Command("RPUSH", key, "a")]);
        yield return new DumpCase("list integers", true, key => [Command("RPUSH", key, "0", "127", "128", "-1", "4095", "-4096", "4096", "32767", "32768",
            "8388607", "8388608", "-8388609", "2147483648", "-9223372036854775808", "9223372036854775807", "007")]);
        yield return new DumpCase("list lpush small", true, key => [Command("LPUSH", key, "a", "b", "c")]);
        yield return Many("list 1000", true, "RPUSH", i => ["element-" + i], 1000);
        yield return Many("list 20000 small", true, "RPUSH", i => [i % 100], 20000, 1000);
        yield return Many("list strings 63/64/4095/4096", true, "RPUSH", i => [new string('s', new[] { 63, 64, 4095, 4096, 5000 }[i % 5])], 15, 5);
        yield return Many("list big elements", true, "RPUSH", i => [Text(i, 3000)], 12, 4);
        // 7 header bytes + a 17-byte entry + 370 22-byte entries, then a 20-byte push: 8192 with Redis's 8-byte
        // estimate, exactly the node limit, so the node takes it (one byte more would start a new node).
        yield return Many("list at the node size boundary", true, "RPUSH", i => [i == 0 ? new string('p', 15) : Text(i, 20)], 400);
        yield return new DumpCase("list binary", true, key => [Command("RPUSH", key, Binary(5, 100), Binary(6, 10), Array.Empty<byte>())]);
    }
}
