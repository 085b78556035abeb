using PepperCache.Benchmark.Simulation;

namespace PepperCache.Benchmark.Tests;

/// <summary>The exact cache models on traces short enough to check by hand (keys A=1, B=2, C=3).</summary>
public sealed class CacheModelTests
{
    private const ulong A = 1, B = 2, C = 3;

    [Fact]
    public void Lru_evicts_the_key_used_longest_ago()
    {
        var lru = new ExactLru(2);

        // A miss [A] · B miss [B A] · A hit [A B] · C miss, evicts B [C A] · B miss, evicts A [B C] · A miss, evicts C [A B]
        var hits = new[] { A, B, A, C, B, A }.Select(lru.Access).ToArray();

        Assert.Equal([false, false, true, false, false, false], hits);
        Assert.Equal([A, B], lru.KeysByRecency());
        Assert.Equal(2, lru.Count);
    }

    [Fact]
    public void Lru_with_room_for_every_key_misses_once_per_key()
    {
        var lru = new ExactLru(10);

        var hits = new ulong[] { 5, 6, 5, 7, 6, 5, 8 }.Count(lru.Access);

        Assert.Equal(3, hits);
        Assert.Equal([8UL, 5, 6, 7], lru.KeysByRecency());
    }

    [Fact]
    public void Lfu_evicts_the_key_with_the_fewest_uses()
    {
        var lfu = new ExactLfu(2);

        // A miss {A1} · B miss {A1 B1} · A hit {A2 B1} · C miss, evicts B {A2 C1} · B miss, evicts C {A2 B1} · A hit {A3 B1}
        var hits = new[] { A, B, A, C, B, A }.Select(lfu.Access).ToArray();

        Assert.Equal([false, false, true, false, false, true], hits);
        Assert.Equal(3, lfu.UsesOf(A));
        Assert.Equal(1, lfu.UsesOf(B));
        Assert.Equal(0, lfu.UsesOf(C));
    }

    [Fact]
    public void Lfu_breaks_ties_by_evicting_the_key_that_reached_its_count_first()
    {
        var lfu = new ExactLfu(2);

        // A1 B1 · C evicts A (count 1 since before B) · A evicts B (count 1 since before C)
        Assert.Equal([false, false, false, false], new[] { A, B, C, A }.Select(lfu.Access));
        Assert.Equal(0, lfu.UsesOf(B));
        Assert.Equal(1, lfu.UsesOf(C));

        // A2 C2 after these hits (C reached 2 first) · B evicts C
        var second = new ExactLfu(2);
        Assert.Equal([false, false, true, true, false], new[] { A, C, C, A, B }.Select(second.Access));
        Assert.Equal(2, second.UsesOf(A));
        Assert.Equal(0, second.UsesOf(C));
        Assert.Equal(1, second.UsesOf(B));
    }

    [Fact]
    public void Lfu_forgets_the_count_of_an_evicted_key()
    {
        var lfu = new ExactLfu(1);

        Assert.Equal([false, true, true, false, false], new[] { A, A, A, B, A }.Select(lfu.Access));
        Assert.Equal(1, lfu.UsesOf(A));
    }
}
