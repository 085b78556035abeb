using System.Buffers;
using PepperCache.Core.Storage;
using PepperCache.Core.Types;

namespace PepperCache.Core.Tests;

/// <summary>
/// A collection for tests: any type, a fixed encoding name and a heap size given by the test, so memory accounting
/// can be checked to the byte while no real collection type exists yet.
/// </summary>
internal sealed class TestObject(DataType type, long heapSize, long count = 3) : StoreObject
{
    public override DataType Type => type;

    public override ReadOnlySpan<byte> EncodingName => "listpack"u8;

    public override long HeapSize => heapSize;

    public override long Count => count;

    public override StoreObject Clone() => new TestObject(type, heapSize, count);

    // Tests of the keyspace never persist or move a test object: reaching these is a test bug.
    public override void WriteRestoreCommands(ReadOnlySpan<byte> key, IBufferWriter<byte> output) =>
        throw new NotSupportedException("a TestObject has no AOF form");

    public override void Serialize(IBufferWriter<byte> output) => throw new NotSupportedException("a TestObject has no payload");

    public override PayloadCursor OpenPayloadCursor() => throw new NotSupportedException("a TestObject has no payload");

    public override bool TryAppendPayload(ReadOnlySpan<byte> payload, EncodingSettings settings) =>
        throw new NotSupportedException("a TestObject has no payload");
}
