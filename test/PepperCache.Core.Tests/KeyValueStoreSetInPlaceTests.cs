using Microsoft.Extensions.Time.Testing;
using PepperCache.Core.Storage;
using static PepperCache.Core.Tests.TestBytes;

namespace PepperCache.Core.Tests;

/// <summary><see cref="KeyValueStore.SetInPlace"/>: a value received with room for the entry's header and key in front becomes the entry.</summary>
public sealed class KeyValueStoreSetInPlaceTests
{
    private readonly KeyValueStore _store = new(new FakeTimeProvider());

    [Fact]
    public void TheBufferBecomesTheEntryWithoutACopy()
    {
        var buffer = new byte[KeyValueStore.ValueOffset(3) + 5];
        "hello"u8.CopyTo(buffer.AsSpan(KeyValueStore.ValueOffset(3)));

        _store.SetInPlace("key"u8, buffer);

        Assert.True(_store.TryGet("key"u8, out var value));
        Assert.Equal("hello", S(value.Span));
        Assert.Equal(0, value.ExpiresAt);
        Assert.True(System.Runtime.CompilerServices.Unsafe.AreSame(
            ref System.Runtime.InteropServices.MemoryMarshal.GetReference(value.Span), ref buffer[KeyValueStore.ValueOffset(3)]));
    }

    [Fact]
    public void ItCountsAndReplacesAsSetDoes()
    {
        var copied = new KeyValueStore(new FakeTimeProvider());
        copied.Set("key"u8, "old"u8, copied.Now + 10_000);
        copied.Set("key"u8, "value"u8);
        _store.Set("key"u8, "old"u8, _store.Now + 10_000);
        var buffer = new byte[KeyValueStore.ValueOffset(3) + 5];
        "value"u8.CopyTo(buffer.AsSpan(KeyValueStore.ValueOffset(3)));

        _store.SetInPlace("key"u8, buffer);

        Assert.Equal(copied.UsedMemoryExact, _store.UsedMemoryExact);
        Assert.Equal(1, _store.Count);
        Assert.Equal(0, _store.VolatileCount);
        Assert.True(_store.TryGet("key"u8, out var value));
        Assert.Equal("value", S(value.Span));
    }
}
