using PepperCache.Core.Storage;

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
}
