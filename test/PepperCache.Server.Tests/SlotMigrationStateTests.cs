using PepperCache.Core.Storage;
using PepperCache.Server.Cluster;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Tests;

public sealed class SlotMigrationStateTests
{
    [Fact]
    public void FreezeGivesAWaitThatUnfreezeCompletes()
    {
        var state = new SlotMigrationState(new KeyValueStore());
        Assert.False(state.AnyFrozen);
        Assert.Null(state.WaitFor(42));

        Assert.True(state.TryFreeze(42));
        Assert.False(state.TryFreeze(42));
        Assert.True(state.AnyFrozen);
        var wait = state.WaitFor(42);
        Assert.NotNull(wait);
        Assert.False(wait.IsCompleted);
        Assert.Null(state.WaitFor(43));

        state.Unfreeze(42);
        Assert.True(wait.IsCompletedSuccessfully);
        Assert.False(state.AnyFrozen);
        Assert.Null(state.WaitFor(42));
        state.Unfreeze(42);
        Assert.False(state.AnyFrozen);
    }

    [Fact]
    public void EveryImportChangesTheSlotsImportCountEvenWithinOneMillisecond()
    {
        // The mover drops a handed-over slot's keys only if this count is what it was at the hand-over: an import in
        // between (the slot came straight back) must change it, whatever the clock says.
        var state = new SlotMigrationState(new KeyValueStore());
        var before = state.ImportCount(7);

        state.MarkImported(7, 1_000);
        var once = state.ImportCount(7);
        state.MarkImported(7, 1_000);

        Assert.NotEqual(before, once);
        Assert.NotEqual(once, state.ImportCount(7));
        Assert.Equal(before, state.ImportCount(8));
        Assert.Equal(1_000, state.LastImportAt(7));
    }

    [Fact]
    public async Task QuiesceWaitsForBatchesRunningWhenItStarted()
    {
        var clients = new ClientRegistry();
        var busy = new ClientSession(clients.NextId(), null, null, 0);
        var idle = new ClientSession(clients.NextId(), null, null, 0);
        clients.Add(busy);
        clients.Add(idle);
        busy.EnterBatch();

        var quiesce = SlotMigrationState.QuiesceAsync(clients, TestContext.Current.CancellationToken);
        for (var i = 0; i < 20; i++)
        {
            await Task.Yield();
        }

        Assert.False(quiesce.IsCompleted);
        // A batch that starts later does not hold it: only those running at the start can have missed the freeze.
        idle.EnterBatch();
        busy.ExitBatch();
        await quiesce.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        idle.ExitBatch();
    }

    [Fact]
    public async Task QuiesceReturnsAtOnceWhenNoBatchRuns()
    {
        var clients = new ClientRegistry();
        clients.Add(new ClientSession(clients.NextId(), null, null, 0));
        var quiesce = SlotMigrationState.QuiesceAsync(clients, TestContext.Current.CancellationToken);
        Assert.True(quiesce.IsCompletedSuccessfully);
        await quiesce;
    }
}
