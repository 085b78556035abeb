using PepperCache.Server.Cluster;
using PepperCache.Server.Tests.Infrastructure;

namespace PepperCache.Server.Tests.Cluster;

/// <summary>
/// <see cref="MovePacer"/> on a clock the test steps: clients served at a steady rate before a move are the baseline;
/// the move's duty follows what they keep of it (per slot still served), down to its floor, and the operator's cap
/// holds whatever they do.
/// </summary>
public sealed class MovePacerTests
{
    private const int Slots = 100;
    private static readonly TimeSpan Busy = TimeSpan.FromMilliseconds(300);

    private readonly JumpClock _clock = new(DateTimeOffset.UnixEpoch);
    // Half, so that "a quarter of their rate" is half their share (the default is 60 %).
    private readonly MovePaceSettings _settings = new() { MinClientPercent = 50 };
    private long _commands;
    private int _handedOver;

    [Fact]
    public void WithoutClientsAMoveIsNotHeld()
    {
        var pacer = Pacer();
        Serve(perSecond: 0, seconds: 1);
        pacer.BeginMove(Slots);
        Serve(perSecond: 0, seconds: 1);
        Assert.Equal(1, pacer.Duty);
        Assert.True(pacer.WaitAsync(20_000, Busy, leaving: false, CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public void ClientsBelowTheMinimumRateCountAsNone()
    {
        var pacer = Pacer();
        Serve(perSecond: 900, seconds: 1);
        pacer.BeginMove(Slots);
        Serve(perSecond: 100, seconds: 1);
        Assert.Equal(1, pacer.Duty);
    }

    [Fact]
    public void ClientsThatKeepTheirShareDoNotHoldTheMove()
    {
        var pacer = MoveAfterASecondOfClients();
        // With clients, a move starts at half duty. They keep 55 % of their rate, above their share: the duty rises
        // to full.
        Assert.Equal(MovePacer.StartDuty, pacer.Duty);
        Serve(perSecond: 5_500, seconds: 1);
        Assert.Equal(1, pacer.Duty);
        Assert.True(pacer.WaitAsync(20_000, Busy, leaving: false, CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public void ClientsFarBelowTheirShareCutTheDutyByAQuarterAWindow()
    {
        var pacer = MoveAfterASecondOfClients();
        // A quarter of their rate, half their share. The first sample's window still holds a pre-move sample, which
        // puts them above their share.
        Serve(perSecond: 2_500, seconds: 0.1);
        Assert.Equal(MovePacer.StartDuty * MovePacer.Increase, pacer.Duty, 6);
        Serve(perSecond: 2_500, seconds: 0.1);
        Assert.Equal(MovePacer.StartDuty * MovePacer.Increase * MovePacer.Decrease, pacer.Duty, 6);
        Serve(perSecond: 2_500, seconds: 0.1);
        Assert.Equal(MovePacer.StartDuty * MovePacer.Increase * MovePacer.Decrease * MovePacer.Decrease, pacer.Duty, 6);
    }

    [Fact]
    public void ACutIsAsDeepAsTheClientsFallShort()
    {
        var pacer = MoveAfterASecondOfClients();
        // 45 % of their rate, 90 % of their share.
        Serve(perSecond: 4_500, seconds: 0.3);
        Assert.Equal(MovePacer.StartDuty * MovePacer.Increase * 0.9 * 0.9, pacer.Duty, 6);
    }

    [Fact]
    public void AMoveHeldToADutyWaitsInProportionToTheTimeItRan()
    {
        var pacer = MoveAfterASecondOfClients();
        Serve(perSecond: 2_500, seconds: 0.3);
        var duty = pacer.Duty;
        Assert.InRange(duty, 0.3, 0.4);

        // Busy 300 ms since its last wait: 300 ms x (1 - duty) / duty, so that it runs duty of the time.
        var expected = Busy * ((1 - duty) / duty);
        var held = pacer.WaitAsync(1_000, Busy, leaving: false, CancellationToken.None);
        Assert.False(held.IsCompleted);
        _clock.Advance(expected - TimeSpan.FromMilliseconds(1));
        Assert.False(held.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(held.IsCompletedSuccessfully);
        Assert.True(pacer.WaitAsync(1_000, TimeSpan.Zero, leaving: false, CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public void OneWaitForTheDutyLastsASecondAtMost()
    {
        var pacer = MoveAfterASecondOfClients();
        Serve(perSecond: 1_000, seconds: 3);
        Assert.Equal(MovePacer.MinDuty, pacer.Duty);

        // A batch that ran 20 s would wait 180 s at a tenth of the time; it waits one.
        var held = pacer.WaitAsync(1_000, TimeSpan.FromSeconds(20), leaving: false, CancellationToken.None);
        _clock.Advance(MovePacer.MaxDutyWait - TimeSpan.FromMilliseconds(1));
        Assert.False(held.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(held.IsCompletedSuccessfully);
    }

    [Fact]
    public void ALeavingNodeWaitsForTheCapOnlyNotForItsClients()
    {
        _settings.MaxKeysPerSecond = 10_000;
        var pacer = MoveAfterASecondOfClients();
        Serve(perSecond: 1_000, seconds: 3);
        Assert.Equal(MovePacer.MinDuty, pacer.Duty);

        // Its slots must be handed over before --leave-timeout: no wait for the duty, however long the batch ran.
        Assert.True(pacer.WaitAsync(1_000, Busy, leaving: true, CancellationToken.None).IsCompletedSuccessfully);
        // The operator's cap still holds: 1,000 keys at 10,000 a second, 100 ms.
        var held = pacer.WaitAsync(1_000, Busy, leaving: true, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(held.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(held.IsCompletedSuccessfully);
    }

    [Fact]
    public void TheDutyRisesBackToFullWhileTheClientsKeepMoreThanTheirShare()
    {
        var pacer = MoveAfterASecondOfClients();
        Serve(perSecond: 2_500, seconds: 0.3);
        var held = pacer.Duty;

        // Back at their rate, then twice their share: up by a quarter a window (the most), and never past 1.
        Serve(perSecond: 10_000, seconds: 0.2);
        Assert.Equal(held * 1.25 * 1.25, pacer.Duty, 6);
        Serve(perSecond: 10_000, seconds: 1);
        Assert.Equal(1, pacer.Duty);
    }

    [Fact]
    public void TheDutyStopsAtItsFloor()
    {
        var pacer = MoveAfterASecondOfClients();
        Serve(perSecond: 1_000, seconds: 3);
        Assert.Equal(MovePacer.MinDuty, pacer.Duty);
    }

    [Fact]
    public void SlotsHandedOverTakeTheirClientsAlong()
    {
        var pacer = MoveAfterASecondOfClients();
        // Three quarters of the slots are gone, and three quarters of the clients with them: per slot still served,
        // they kept their rate.
        _handedOver = Slots * 3 / 4;
        Serve(perSecond: 2_500, seconds: 1);
        Assert.Equal(1, pacer.Duty);
    }

    [Fact]
    public void ZeroPercentMovesAtFullDutyWhateverTheClients()
    {
        _settings.MinClientPercent = 0;
        var pacer = MoveAfterASecondOfClients();
        Serve(perSecond: 1_000, seconds: 1);
        Assert.Equal(1, pacer.Duty);

        // Set back during the move, the share applies from the next sample, against the baseline taken at its start.
        _settings.MinClientPercent = 50;
        Serve(perSecond: 1_000, seconds: 0.1);
        Assert.Equal(MovePacer.Decrease, pacer.Duty, 6);
    }

    [Fact]
    public void TheOperatorsCapHoldsWithoutClients()
    {
        _settings.MaxKeysPerSecond = 1_000;
        var pacer = Pacer();
        pacer.BeginMove(Slots);
        Assert.True(pacer.WaitAsync(500, TimeSpan.Zero, leaving: false, CancellationToken.None).IsCompletedSuccessfully);
        var held = pacer.WaitAsync(500, TimeSpan.Zero, leaving: false, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(held.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(held.IsCompletedSuccessfully);
        // Batches without keys cost the cap nothing.
        Assert.True(pacer.WaitAsync(0, TimeSpan.Zero, leaving: false, CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public void TheLongerOfTheCapsAndTheDutysWaitsHolds()
    {
        _settings.MaxKeysPerSecond = 10_000;
        var pacer = MoveAfterASecondOfClients();
        Serve(perSecond: 2_500, seconds: 0.2);
        var duty = pacer.Duty;
        Assert.Equal(MovePacer.StartDuty * MovePacer.Increase * MovePacer.Decrease, duty, 6);

        // 2,000 keys: the cap lets the next batch start 200 ms on; the duty asks 113 ms after 100 ms busy.
        Assert.True(pacer.WaitAsync(2_000, TimeSpan.Zero, leaving: false, CancellationToken.None).IsCompletedSuccessfully);
        Assert.True(TimeSpan.FromMilliseconds(100) * ((1 - duty) / duty) < TimeSpan.FromMilliseconds(199));
        var held = pacer.WaitAsync(1_000, TimeSpan.FromMilliseconds(100), leaving: false, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMilliseconds(199));
        Assert.False(held.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(held.IsCompletedSuccessfully);
    }

    [Fact]
    public void TheEndOfTheMoveRestoresFullDutyAndReportsThePace()
    {
        var pacer = MoveAfterASecondOfClients();
        Serve(perSecond: 2_500, seconds: 0.3);
        var duty = pacer.Duty;
        _ = pacer.WaitAsync(1_000, Busy, leaving: false, CancellationToken.None);
        _ = pacer.WaitAsync(1_000, Busy, leaving: false, CancellationToken.None);

        var summary = pacer.EndMove();
        var expected = (long)(2 * (Busy * ((1 - duty) / duty)).TotalMilliseconds);
        Assert.InRange(summary.HeldMilliseconds, expected - 1, expected);
        Assert.Equal(10_000, summary.BaselineCommandsPerSecond, 1);
        Assert.Equal(duty, summary.LowestDuty, 6);
        Assert.Equal(1, pacer.Duty);
        Assert.True(pacer.WaitAsync(1_000_000, Busy, leaving: false, CancellationToken.None).IsCompletedSuccessfully);
    }

    /// <summary>A pacer whose move starts after clients sent 10,000 commands a second for a second: the baseline.</summary>
    private MovePacer MoveAfterASecondOfClients()
    {
        var pacer = Pacer();
        Serve(perSecond: 10_000, seconds: 1);
        pacer.BeginMove(Slots);
        return pacer;
    }

    private MovePacer Pacer()
    {
        var pacer = new MovePacer(_clock, () => _commands, () => _handedOver, _settings);
        pacer.Start();
        return pacer;
    }

    /// <summary>Clients send <paramref name="perSecond"/> commands a second for <paramref name="seconds"/>, one sample each 100 ms.</summary>
    private void Serve(double perSecond, double seconds)
    {
        for (var i = 0; i < (int)Math.Round(seconds * 10); i++)
        {
            _commands += (long)(perSecond / 10);
            _clock.Advance(MovePacer.SamplePeriod);
        }
    }
}
