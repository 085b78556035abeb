using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace PepperCache.Server.Hosting;

/// <summary>
/// The two listeners of this node. Kestrel writes the bound address back into each <see cref="ListenOptions"/>, so
/// after start-up the real ports are known even when 0 (pick a free port) was configured, as tests do.
/// </summary>
public sealed class NodeEndpoints
{
    internal ListenOptions? Resp { get; set; }

    internal ListenOptions? Admin { get; set; }

    public IPEndPoint? RespEndPoint => Resp?.EndPoint as IPEndPoint;

    public IPEndPoint? AdminEndPoint => Admin?.EndPoint as IPEndPoint;
}
