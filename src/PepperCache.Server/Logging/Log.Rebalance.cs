namespace PepperCache.Server.Logging;

// 41xx: slot migration (rebalance). Membership's cluster events use 40xx.
internal static partial class Log
{
    [LoggerMessage(4101, LogLevel.Information, "Rebalance started: {Slots} slots to hand over to {Targets} nodes")]
    public static partial void RebalanceStarted(ILogger logger, int slots, int targets);

    [LoggerMessage(4102, LogLevel.Information, "Rebalance done: {Slots} slots, {Keys} keys, {Bytes} bytes moved in {DurationMs} ms")]
    public static partial void RebalanceDone(ILogger logger, int slots, long keys, long bytes, long durationMs);

    [LoggerMessage(4103, LogLevel.Warning, "Moving slots to {Target} ({Address}) failed, keeping them and retrying in {RetryMs} ms: {Reason}")]
    public static partial void RebalanceTargetFailed(ILogger logger, string target, string address, long retryMs, string reason);

    [LoggerMessage(4104, LogLevel.Debug, "{Slots} slots moved to {Target}: {Keys} keys, {Bytes} bytes, {Resent} slots sent again because they changed after their pre-copy, frozen {FrozenUs} us at most (barrier {BarrierUs}, imports {ImportUs}, SETSLOT replies with assign and delete {SetSlotUs})")]
    public static partial void SlotsMoved(ILogger logger, int slots, string target, int keys, long bytes, int resent, long frozenUs, long barrierUs, long importUs, long setSlotUs);

    [LoggerMessage(4107, LogLevel.Information, "Moving slots to {Target} ({Address}) waits {RetryMs} ms: it has not learned the slot table yet")]
    public static partial void RebalanceTargetNotReady(ILogger logger, string target, string address, long retryMs);

    [LoggerMessage(4108, LogLevel.Information, "Moving slots to {Target} ({Address}) was refused for want of this node's view: sent it (plan epoch {PlanEpoch}, {PlanEpochAfter} after the exchange), moving again at once: {Reason}")]
    public static partial void RebalanceTargetSentView(ILogger logger, string target, string address, long planEpoch, long planEpochAfter, string reason);

    [LoggerMessage(4105, LogLevel.Information, "Removed {Keys} stray keys of {Slots} slots this node neither serves nor is due to serve")]
    public static partial void StrayKeysRemoved(ILogger logger, long keys, int slots);

    [LoggerMessage(4106, LogLevel.Error, "Rebalance round failed")]
    public static partial void RebalanceRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(4109, LogLevel.Information, "Rebalance paced: its pre-copies waited {HeldMs} ms in all, running {LowestDutyPercent} % of the time at the least (clients served {BaselineCommandsPerSec} commands/s before; cluster-move-min-client-percent {Percent}, cluster-move-max-keys-per-sec {MaxKeysPerSec})")]
    public static partial void RebalancePaced(ILogger logger, long heldMs, long lowestDutyPercent, long baselineCommandsPerSec, int percent, long maxKeysPerSec);

    [LoggerMessage(4110, LogLevel.Debug, "Move duty {DutyPercent} %: clients at {Percent} % of their rate before the move, per slot of the {Slots} still served")]
    public static partial void MovePaceChanged(ILogger logger, long dutyPercent, long percent, int slots);
}
