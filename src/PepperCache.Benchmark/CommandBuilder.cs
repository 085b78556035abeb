using System.Text;

namespace PepperCache.Benchmark;

/// <summary>What a reply means for the counters: reads count hits and misses, everything else only errors.</summary>
internal enum OperationKind : byte
{
    Write,
    Read,
}

/// <summary>
/// Writes the commands of one test, redis-benchmark style: keys are <c>key:</c> plus a random 12-digit number below
/// the keyspace (or the literal <c>key:__rand_int__</c> without -r, as redis-benchmark sends), drawn by the
/// <see cref="KeyChooser"/>; values are 'x' repeated. Nothing is allocated per command: the fixed parts are prepared once.
/// </summary>
internal sealed class CommandBuilder
{
    public const int MsetKeys = 10;
    private const int KeyDigits = 12;

    private static readonly byte[] Ping = "*1\r\n$4\r\nPING\r\n"u8.ToArray();
    private static readonly byte[] GetHeader = "*2\r\n$3\r\nGET\r\n"u8.ToArray();
    private static readonly byte[] SetHeader = "*3\r\n$3\r\nSET\r\n"u8.ToArray();
    private static readonly byte[] IncrHeader = "*2\r\n$4\r\nINCR\r\n"u8.ToArray();
    private static readonly byte[] DelHeader = "*2\r\n$3\r\nDEL\r\n"u8.ToArray();
    private static readonly byte[] MsetHeader = Encoding.ASCII.GetBytes($"*{1 + (2 * MsetKeys)}\r\n$4\r\nMSET\r\n");

    private readonly TestKind _test;
    private readonly ulong _keyspace;
    private readonly int _readPercent;
    private readonly bool _cluster;
    private readonly byte[] _value;
    private readonly KeyChooser? _keys;

    public CommandBuilder(TestKind test, int dataSize, long keyspace, int readPercent, bool cluster, KeyDistribution distribution = default)
    {
        _test = test;
        _keyspace = (ulong)keyspace;
        _readPercent = readPercent;
        _cluster = cluster;
        _value = Encoding.ASCII.GetBytes($"${dataSize}\r\n{new string('x', dataSize)}\r\n");
        _keys = keyspace > 0 ? new KeyChooser(keyspace, distribution) : null;
    }

    /// <summary>Draws the next key number (0 without a keyspace, where every key is the fixed placeholder).</summary>
    public ulong NextKey(ref ulong random) => _keys?.Next(ref random) ?? 0;

    /// <summary>Appends <c>GET key</c> for a key drawn earlier by <see cref="NextKey"/> (the cache-aside lookup).</summary>
    public void WriteGet(CommandBuffer buffer, ulong key, out int keyStart, out int keyLength)
    {
        buffer.Write(GetHeader);
        WriteKey(buffer, "key:"u8, key, out keyStart, out keyLength);
    }

    /// <summary>Appends <c>SET key value</c> for a given key (the cache-aside fill after a miss).</summary>
    public void WriteSet(CommandBuffer buffer, ulong key, out int keyStart, out int keyLength)
    {
        buffer.Write(SetHeader);
        WriteKey(buffer, "key:"u8, key, out keyStart, out keyLength);
        buffer.Write(_value);
    }

    /// <summary>
    /// Appends one command. <paramref name="keyStart"/>/<paramref name="keyLength"/> locate the key that decides the
    /// slot in cluster mode (-1 for PING, which any node answers).
    /// </summary>
    public OperationKind Write(CommandBuffer buffer, ref ulong random, out int keyStart, out int keyLength)
    {
        var test = _test;
        if (test == TestKind.Mixed)
        {
            test = (int)(Next(ref random) % 100) < _readPercent ? TestKind.Get : TestKind.Set;
        }

        keyStart = -1;
        keyLength = 0;
        switch (test)
        {
            case TestKind.Ping:
                buffer.Write(Ping);
                return OperationKind.Write;
            case TestKind.Get or TestKind.CacheAside:
                buffer.Write(GetHeader);
                WriteKey(buffer, "key:"u8, ref random, out keyStart, out keyLength);
                return OperationKind.Read;
            case TestKind.Set:
                buffer.Write(SetHeader);
                WriteKey(buffer, "key:"u8, ref random, out keyStart, out keyLength);
                buffer.Write(_value);
                return OperationKind.Write;
            case TestKind.Incr:
                buffer.Write(IncrHeader);
                WriteKey(buffer, "counter:"u8, ref random, out keyStart, out keyLength);
                return OperationKind.Write;
            case TestKind.Del:
                buffer.Write(DelHeader);
                WriteKey(buffer, "key:"u8, ref random, out keyStart, out keyLength);
                return OperationKind.Write;
            default:
                WriteMset(buffer, ref random, out keyStart, out keyLength);
                return OperationKind.Write;
        }
    }

    // In a cluster the ten keys of one MSET must share a slot, so they become {key:N}:0 ... {key:N}:9.
    private void WriteMset(CommandBuffer buffer, ref ulong random, out int keyStart, out int keyLength)
    {
        buffer.Write(MsetHeader);
        keyStart = -1;
        keyLength = 0;
        if (_cluster)
        {
            var number = NextKey(ref random);
            for (var i = 0; i < MsetKeys; i++)
            {
                buffer.Write("$20\r\n{key:"u8);
                var start = buffer.Length - 5;
                buffer.WriteDigits(number, KeyDigits);
                buffer.Write("}:"u8);
                buffer.WriteDigits((ulong)i, 1);
                buffer.Write("\r\n"u8);
                buffer.Write(_value);
                if (i == 0)
                {
                    keyStart = start;
                    keyLength = 20;
                }
            }

            return;
        }

        for (var i = 0; i < MsetKeys; i++)
        {
            WriteKey(buffer, "key:"u8, ref random, out var start, out var length);
            buffer.Write(_value);
            if (i == 0)
            {
                keyStart = start;
                keyLength = length;
            }
        }
    }

    private void WriteKey(CommandBuffer buffer, ReadOnlySpan<byte> prefix, ref ulong random, out int keyStart, out int keyLength) =>
        WriteKey(buffer, prefix, NextKey(ref random), out keyStart, out keyLength);

    private void WriteKey(CommandBuffer buffer, ReadOnlySpan<byte> prefix, ulong number, out int keyStart, out int keyLength)
    {
        keyLength = prefix.Length + KeyDigits;
        buffer.Write("$"u8);
        buffer.WriteDigits((ulong)keyLength, keyLength >= 10 ? 2 : 1);
        buffer.Write("\r\n"u8);
        keyStart = buffer.Length;
        buffer.Write(prefix);
        if (_keyspace == 0)
        {
            buffer.Write("__rand_int__"u8);
        }
        else
        {
            buffer.WriteDigits(number, KeyDigits);
        }

        buffer.Write("\r\n"u8);
    }

    /// <summary>xorshift64*: fast, allocation-free and reproducible from <c>--seed</c>.</summary>
    public static ulong Next(ref ulong state)
    {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return state * 2685821657736338717UL;
    }

    /// <summary>A non-zero starting state for one client, derived from the seed (splitmix64).</summary>
    public static ulong SeedFor(int seed, int client)
    {
        var z = unchecked(((ulong)(uint)seed << 32) + (ulong)client + 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return z == 0 ? 1 : z;
    }
}
