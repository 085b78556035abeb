namespace PepperCache.Server.Tests.Ecosystem;

/// <summary>How <see cref="ChurnLedger"/> dates what goes wrong, which the kill -9 test's recovery bound reads.</summary>
public sealed class ChurnLedgerTests
{
    [Fact]
    public void AToolsFailureIsDatedByItsRunsStartAndADirectClientsWhenSeen()
    {
        var ledger = new ChurnLedger("tool", "k", 1);
        ledger.BeginPass();
        ledger.DateFrom(1_000);
        ledger.Error("exit 1");
        Assert.False(ledger.EndPass());
        Assert.Equal((1_000, 1_000), (ledger.Report(false).FirstBadMs, ledger.Report(false).LastBadMs));

        // A later pass dated earlier does not move the last bad time back.
        ledger.BeginPass();
        ledger.DateFrom(500);
        ledger.Error("exit 1");
        Assert.Equal(1_000, ledger.Report(false).LastBadMs);

        // A new pass forgets the date: a client that sees its errors as they happen is dated now.
        ledger.BeginPass();
        var before = ChurnLedger.Now;
        ledger.Read(0, "k:0|7");
        var report = ledger.Report(false);
        Assert.Equal(1_000, report.FirstBadMs);
        Assert.InRange(report.LastBadMs, before, ChurnLedger.Now);
        Assert.Equal(1, report.WrongCount);
    }
}
