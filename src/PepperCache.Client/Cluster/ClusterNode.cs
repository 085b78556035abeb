using System.Globalization;

namespace PepperCache.Client.Cluster;

/// <summary>A node's RESP endpoint as the cluster names it (<c>127.0.0.1:7000</c>).</summary>
public readonly record struct ClusterNode(string Host, int Port)
{
    /// <summary><c>host:port</c>, as <c>CLUSTER NODES</c> and redirects write it.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");
}
