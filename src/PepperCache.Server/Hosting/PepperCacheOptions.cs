namespace PepperCache.Server.Hosting;

/// <summary>Node settings, bound from the <c>PepperCache</c> configuration section (flags, env PEPPER_*, appsettings.json).</summary>
public sealed class PepperCacheOptions
{
    public const string SectionName = "PepperCache";

    /// <summary>The original tool's ports; a node on both advertises its bare address in <c>/cluster</c>.</summary>
    public const int DefaultPort = 9004;

    public const int DefaultAdminPort = 18088;

    /// <summary>The address this node advertises to clients and peers (<c>--node</c>).</summary>
    public string Node { get; set; } = "127.0.0.1";

    /// <summary>Any member of the cluster to join (<c>--cluster</c>); empty for a new cluster.</summary>
    public string Cluster { get; set; } = "";

    /// <summary>RESP port (<c>--port</c>). 0 picks a free port (tests).</summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary>Admin HTTP port (<c>--admin-port</c>). 0 picks a free port (tests).</summary>
    public int AdminPort { get; set; } = DefaultAdminPort;

    /// <summary>Listen address (<c>--bind</c>); defaults to <see cref="Node"/>.</summary>
    public string? Bind { get; set; }

    /// <summary>Largest bulk string a client may send (<c>--proto-max-bulk-len</c>, Redis's default 512 MB).</summary>
    public long ProtoMaxBulkLen { get; set; } = 512L * 1024 * 1024;

    /// <summary>Active expiry cycles per second (Redis's <c>hz</c>).</summary>
    public int Hz { get; set; } = 10;

    public string BindAddress => string.IsNullOrWhiteSpace(Bind) ? Node : Bind;
}
