using System.Net;
using System.Buffers.Binary;
using DotNext.Buffers;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.Membership;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;

namespace RaftPrototype;

/// <summary>One Raft node: TCP transport, a write-ahead log on disk, and a state machine that only counts.</summary>
internal static class RaftNode
{
    public static RaftCluster Create(
        IPEndPoint listen, IPEndPoint publicEndPoint, IEnumerable<IPEndPoint> members, string folder, int lowerElectionTimeout, int upperElectionTimeout)
    {
        var storage = new LoopbackConfigurationStorage();
        var builder = storage.CreateInitialConfigurationBuilder();
        foreach (var member in members)
        {
            builder.Add(member);
        }

        builder.Build();
        var configuration = new RaftCluster.TcpConfiguration(listen)
        {
            ConfigurationStorage = storage,
            PublicEndPoint = publicEndPoint,
            LowerElectionTimeout = lowerElectionTimeout,
            UpperElectionTimeout = upperElectionTimeout,
            RequestTimeout = TimeSpan.FromMilliseconds(upperElectionTimeout),
            ColdStart = false,
        };
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

    public ISnapshot? Snapshot => null;

    public ValueTask ReclaimGarbageAsync(long lowerSnapshotIndex, CancellationToken token) => ValueTask.CompletedTask;

    public ValueTask<long> ApplyAsync(LogEntry entry, CancellationToken token)
    {
        Applied++;
        return ValueTask.FromResult(entry.Index);
    }
}

/// <summary>The members, kept in memory; an address is 4 bytes of IPv4 and the port, for the configuration log entries.</summary>
internal sealed class LoopbackConfigurationStorage : InMemoryClusterConfigurationStorage<EndPoint>
{
    protected override void Encode(EndPoint address, ref BufferWriterSlim<byte> output)
    {
        var endPoint = (IPEndPoint)address;
        Span<byte> bytes = stackalloc byte[8];
        endPoint.Address.TryWriteBytes(bytes, out _);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[4..], endPoint.Port);
        output.Write(bytes);
    }

    protected override EndPoint Decode(ref SequenceReader reader)
    {
        Span<byte> bytes = stackalloc byte[8];
        reader.Read(bytes);
        return new IPEndPoint(new IPAddress(bytes[..4]), BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]));
    }
}
