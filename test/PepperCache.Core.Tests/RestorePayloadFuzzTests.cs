using System.Buffers.Binary;
using System.Text;
using PepperCache.Core.Rdb;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;

namespace PepperCache.Core.Tests;

/// <summary>
/// Random corruptions of valid DUMP payloads, resealed with a correct CRC so they reach the parser: each must read
/// as a value or be refused, never throw; and a value read must serialize and read back again.
/// </summary>
public class RestorePayloadFuzzTests
{
    private readonly EncodingSettings _settings = new();

    private IEnumerable<byte[]> Seeds()
    {
        yield return DumpPayload.ForString(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("compress me ", 20))));
        yield return DumpPayload.ForString("12345"u8);
        var hash = new HashObject();
        var bigHash = new HashObject();
        var intset = new SetObject();
        var set = new SetObject();
        var zset = new SortedSetObject();
        var bigZset = new SortedSetObject();
        var list = new ListObject();
        for (var i = 0; i < 600; i++)
        {
            var text = Encoding.ASCII.GetBytes("element" + i);
            bigHash.Set(text, text, _settings);
            set.Add(text, _settings);
            bigZset.Set(text, i / 3.0, _settings);
            list.Push(i % 3 == 0 ? text : Encoding.ASCII.GetBytes((i * 1000).ToString(System.Globalization.CultureInfo.InvariantCulture)), head: false);
            if (i < 20)
            {
                hash.Set(text, Encoding.ASCII.GetBytes((i * 77).ToString(System.Globalization.CultureInfo.InvariantCulture)), _settings);
                intset.Add(Encoding.ASCII.GetBytes((i * 99999).ToString(System.Globalization.CultureInfo.InvariantCulture)), _settings);
                zset.Set(text, i * 1.5, _settings);
            }
        }

        foreach (var value in new StoreObject[] { hash, bigHash, intset, set, zset, bigZset, list })
        {
            yield return DumpPayload.ForObject(value, _settings);
        }
    }

    private static byte[] Reseal(byte[] body)
    {
        var payload = new byte[body.Length + 10];
        body.CopyTo(payload, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(body.Length), 10);
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(body.Length + 2), Crc64Jones.Compute(payload.AsSpan(0, body.Length + 2)));
        return payload;
    }

    internal static byte[] Mutate(byte[] payload, Random random)
    {
        var body = payload[..^10].ToList();
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits && body.Count > 0; e++)
        {
            var at = random.Next(body.Count);
            switch (random.Next(6))
            {
                case 0:
                    body[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    body[at] = (byte)random.Next(256);
                    break;
                case 2:
                    body.RemoveRange(at, body.Count - at);
                    break;
                case 3:
                    body.Insert(at, (byte)random.Next(256));
                    break;
                case 4:
                    body.RemoveAt(at);
                    break;
                default:
                    // A huge length where one may be read: 32- or 64-bit with every bit set.
                    body.InsertRange(at, random.Next(2) == 0 ? [0x80, 0x7F, 0xFF, 0xFF, 0xFF] : [0x81, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
                    break;
            }
        }

        return Reseal([.. body]);
    }

    [Fact]
    public void CorruptPayloadsAreReadOrRefusedNeverThrown()
    {
        var random = new Random(20261206);
        var seeds = Seeds().ToList();
        var read = 0;
        var refused = 0;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        for (var round = 0; round < 20_000 && DateTime.UtcNow < deadline; round++)
        {
            var payload = Mutate(seeds[random.Next(seeds.Count)], random);
            var status = RestorePayload.TryRead(payload, _settings, out var text, out var collection);
            Assert.NotEqual(RestoreReadStatus.VersionOrChecksum, status);
            if (status == RestoreReadStatus.BadFormat)
            {
                refused++;
                continue;
            }

            read++;
            var again = text is not null ? DumpPayload.ForString(text) : DumpPayload.ForObject(collection!, _settings);
            Assert.Equal(RestoreReadStatus.Read, RestorePayload.TryRead(again, _settings, out _, out _));
        }

        Assert.True(refused > 1000 && read > 10, $"read {read}, refused {refused}");
    }

    [Fact]
    public void SeedsReadBackToTheirOwnBytes()
    {
        foreach (var payload in Seeds())
        {
            Assert.Equal(RestoreReadStatus.Read, RestorePayload.TryRead(payload, _settings, out var text, out var collection));
            var again = text is not null ? DumpPayload.ForString(text) : DumpPayload.ForObject(collection!, _settings);
            Assert.Equal(Convert.ToHexString(payload), Convert.ToHexString(again));
        }
    }

    [Fact]
    public void HugeDeclaredLengthsAreRefusedWithoutAllocatingThem()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var body in new byte[][]
                 {
                     [0, 0xC3, 0x05, 0x80, 0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0],
                     [0, 0x81, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
                     [2, 0x80, 0x7F, 0xFF, 0xFF, 0xFF, 1, (byte)'a'],
                     [18, 0x80, 0x7F, 0xFF, 0xFF, 0xFF, 2, 1, 0],
                     [11, 0x0C, 8, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F, 1, 0, 0, 0],
                 })
        {
            Assert.Equal(RestoreReadStatus.BadFormat, RestorePayload.TryRead(Reseal(body), _settings, out _, out _));
        }

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
    }
}
