namespace PepperCache.Server.Resp;

/// <summary>Commands per second and KB per second in and out, as INFO stats reports them.</summary>
internal readonly record struct InstantaneousRates(long OpsPerSecond, double InputKbps, double OutputKbps);
