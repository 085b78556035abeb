using System.Security.Cryptography;
using PepperCache.Core.Cluster;
using PepperCache.Protocol;
using PepperCache.Server.Cluster;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Tests.Infrastructure;

/// <summary>
/// A stand-in for membership shared by in-process nodes: one member list, one desired slot map (SlotMap over the
/// members) and one table of who serves each slot, which every node's <see cref="TestClusterView"/> reads. A handover
/// (<see cref="IClusterView.AssignSlot"/>) is seen by all nodes at once, as if gossip were instant.
/// </summary>
internal sealed class TestMembership
{
    /// <summary>Owner of slots before the first member joins, and of a slot whose owner left without handing it over.</summary>
    public static readonly ClusterNode Nobody = new(new string('0', 40), "127.0.0.1", 0, 0);

    private readonly Lock _lock = new();
    private readonly List<TestClusterView> _views = [];
    private readonly Dictionary<string, ClusterNode> _members = [];
    private readonly ClusterNode[] _owners = Enumerable.Repeat(Nobody, HashSlot.SlotCount).ToArray();
    private ClusterNode[] _desired = Enumerable.Repeat(Nobody, HashSlot.SlotCount).ToArray();

    public static string NewNodeId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    public TestClusterView CreateView(string nodeId)
    {
        var view = new TestClusterView(this, nodeId);
        lock (_lock)
        {
            _views.Add(view);
        }

        return view;
    }

    public ClusterNode? Member(string id)
    {
        lock (_lock)
        {
            return _members.GetValueOrDefault(id);
        }
    }

    public ClusterNode OwnerOf(int slot) => Volatile.Read(ref _owners[slot]);

    public ClusterNode DesiredOwnerOf(int slot) => Volatile.Read(ref _desired)[slot];

    /// <summary>The first members: they serve their slots at once (an empty cluster has nothing to move).</summary>
    public void Bootstrap(params ClusterNode[] members)
    {
        lock (_lock)
        {
            foreach (var member in members)
            {
                _members[member.Id] = member;
            }

            RebuildDesired();
            for (var slot = 0; slot < HashSlot.SlotCount; slot++)
            {
                _owners[slot] = _desired[slot];
            }
        }

        RaiseChanged();
    }

    /// <summary>A join: the desired map changes; slots move when their old owners hand them over.</summary>
    public void Add(ClusterNode member)
    {
        lock (_lock)
        {
            _members[member.Id] = member;
            RebuildDesired();
        }

        RaiseChanged();
    }

    /// <summary>A graceful leave begins: the member's slots are desired elsewhere; it keeps serving them until handed over.</summary>
    public void Remove(string memberId)
    {
        lock (_lock)
        {
            _members.Remove(memberId);
            RebuildDesired();
        }

        RaiseChanged();
    }

    public void Assign(int slot, string nodeId)
    {
        lock (_lock)
        {
            var node = _members.GetValueOrDefault(nodeId) ?? _views.Select(v => v.Myself).First(m => m.Id == nodeId);
            Volatile.Write(ref _owners[slot], node);
        }

        RaiseChanged();
    }

    private void RebuildDesired()
    {
        var desired = new ClusterNode[HashSlot.SlotCount];
        if (_members.Count == 0)
        {
            Array.Fill(desired, Nobody);
        }
        else
        {
            var map = SlotMap.Build(_members.Keys.ToList());
            for (var slot = 0; slot < desired.Length; slot++)
            {
                desired[slot] = _members[map.OwnerOf(slot)];
            }
        }

        Volatile.Write(ref _desired, desired);
    }

    private void RaiseChanged()
    {
        TestClusterView[] views;
        lock (_lock)
        {
            views = [.. _views];
        }

        foreach (var view in views)
        {
            view.RaiseChanged();
        }
    }
}

/// <summary>One node's view of a <see cref="TestMembership"/>.</summary>
internal sealed class TestClusterView(TestMembership membership, string nodeId) : IClusterView
{
    private ClusterNode _myself = new(nodeId, "127.0.0.1", 0, 0);

    // Read on every keyed command (routing): a field, not a lookup in the membership under its lock.
    public ClusterNode Myself => Volatile.Read(ref _myself);

    public event Action? Changed;

    /// <summary>Sets this node's advertised address once its ports are bound.</summary>
    public ClusterNode Bind(string host, int port, int adminPort) => _myself = new ClusterNode(nodeId, host, port, adminPort);

    public ClusterNode OwnerOf(int slot) => membership.OwnerOf(slot);

    public ClusterNode DesiredOwnerOf(int slot) => membership.DesiredOwnerOf(slot);

    public void AssignSlot(int slot, string nodeId) => membership.Assign(slot, nodeId);

    internal void RaiseChanged() => Changed?.Invoke();
}

/// <summary>
/// The one CLUSTER subcommand slot migration needs from membership, <c>CLUSTER SETSLOT slot NODE id</c>, for nodes
/// of a test cluster until membership's CLUSTER command is merged.
/// </summary>
internal static class TestClusterCommand
{
    public static CommandDefinition Definition { get; } =
        new("cluster", -2, CommandFlags.Admin, 0, 0, 0, Execute, "cluster", "Test stand-in: CLUSTER SETSLOT slot NODE id.");

    public static CommandTable CreateTable() => new([.. CommandTable.CreateDefault().All, Definition]);

    private static void Execute(CommandContext context)
    {
        if (context.ArgumentCount == 5 && context.ArgumentIs(1, "SETSLOT"u8) && context.ArgumentIs(3, "NODE"u8)
            && context.TryGetInt64(2, out var slot) && slot is >= 0 and < HashSlot.SlotCount)
        {
            context.Server.Cluster!.AssignSlot((int)slot, System.Text.Encoding.ASCII.GetString(context.Argument(4)));
            context.Output.WriteOk();
            return;
        }

        context.WriteSyntaxError();
    }
}
