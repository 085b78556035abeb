using System.Net;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;

namespace RaftPrototype;

/// <summary>One Raft node: TCP transport, a write-ahead log on disk, and a state machine that only counts.</summary>
internal static class RaftNode
{
    public static RaftCluster Create(
        IPEndPoint listen, IPEndPoint publicEndPoint, IEnumerable<IPEndPoint> members, string folder, int lowerElectionTimeout, int upperElectionTimeout)
    {
        var configuration = new RaftCluster.TcpConfiguration(listen)
        {
            PublicEndPoint = publicEndPoint,
            LowerElectionTimeout = lowerElectionTimeout,
            UpperElectionTimeout = upperElectionTimeout,
            RequestTimeout = TimeSpan.FromMilliseconds(upperElectionTimeout),
            ColdStart = false,
        };
        var storage = configuration.UseInMemoryConfigurationStorage();
        var builder = storage.CreateActiveConfigurationBuilder();
        foreach (var member in members)
        {
            builder.Add(member);
        }

        builder.Build();
        var cluster = new RaftCluster(configuration)
        {
            AuditTrail = new WriteAheadLog(new WriteAheadLog.Options { Location = folder }, new CountingStateMachine()),
        };
        return cluster;
    }
}

/// <summary>Applies nothing: PepperCache's slot table would be updated here.</summary>
internal sealed class CountingStateMachine : IStateMachine
{
    public long Applied { get; private set; }

    public ISnapshot? TakeSnapshot() => null;

    public ValueTask ReclaimGarbageAsync(long lowerSnapshotIndex, CancellationToken token) => ValueTask.CompletedTask;

    public ValueTask<long> ApplyAsync(LogEntry entry, CancellationToken token)
    {
        Applied++;
        return ValueTask.FromResult(entry.Index);
    }
}
