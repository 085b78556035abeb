using PepperCache.Server.Resp;

namespace PepperCache.Server.Commands;

/// <summary>Checks a CONFIG SET value; applies it only when <paramref name="apply"/>. Returns Redis's reason text on a bad value.</summary>
internal delegate string? ConfigSetter(ServerConfig config, string value, bool apply);
