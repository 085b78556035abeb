using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PepperCache.Core.Storage;

namespace PepperCache.Core.Types;

// The skip list's nodes: three kinds by where the member lives (in the node, 16 or 24 bytes, or in an array of its own).
public sealed partial class SortedSetObject
{
    // A node: object header and method table, score, backward link, level 0's forward link and the upper levels'
    // array (56 B), then the member: a reference to its array in a long node, or its length and bytes in 16 or 24 B.
    private const long LongNodeSize = 56;
    private const long ShortNodeSize = LongNodeSize - 8 + 16;
    private const long MediumNodeSize = LongNodeSize - 8 + 24;

    /// <summary>A node's heap bytes: the object, its upper levels and a long member's array.</summary>
    private static long NodeBytes(Node node) => LevelsSize(node.Height) + node switch
    {
        InlineNode<ShortMember> => ShortNodeSize,
        InlineNode<MediumMember> => MediumNodeSize,
        _ => LongNodeSize + Entry.ArraySize(Unsafe.As<LongNode>(node).Array.Length, 1),
    };

    /// <summary>
    /// A skip-list node. Level 0 is a field: three nodes in four have no other level (p = 1/4), so they need no
    /// array at all. Level 0's span is not stored: it is 1 wherever there is a next node, by the span's definition,
    /// and is never read where there is none. A member of up to 23 bytes lives in its node (an
    /// <see cref="InlineNode{TBytes}"/>), so it costs no array header and a lookup or a tie in the order reads it without
    /// following another reference; a longer one is an array of its own (<see cref="LongNode"/>). Two inline sizes:
    /// 24 inline bytes in every node would cost each member of up to 15 bytes 8 B, and an array costs a member of
    /// 16-23 bytes (redis-benchmark's are 20) 32 B more than the larger node.
    /// </summary>
    private abstract class Node(double score, int levels)
    {
        public double Score = score;
        public Node? Backward;
        public Node? Next;
        private readonly Level[]? _upper = levels > 1 ? new Level[levels - 1] : null;

        public int Height => _upper is null ? 1 : _upper.Length + 1;

        // The kinds are sealed, so each test is one method-table compare, and the last kind is known without a cast check.
        public ReadOnlySpan<byte> Member
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => this is InlineNode<ShortMember> shortNode ? shortNode.InlineBytes
                : this is InlineNode<MediumMember> mediumNode ? mediumNode.InlineBytes
                : Unsafe.As<LongNode>(this).Array;
        }

        /// <summary>A node for <paramref name="member"/>; a long one keeps <paramref name="array"/> when given, else a copy.</summary>
        public static Node Create(double score, ReadOnlySpan<byte> member, byte[]? array, int levels) =>
            member.Length <= ShortMember.Capacity ? new InlineNode<ShortMember>(score, member, levels)
            : member.Length <= MediumMember.Capacity ? new InlineNode<MediumMember>(score, member, levels)
            : new LongNode(score, array ?? member.ToArray(), levels);

        /// <summary>The member as an array: its own for a long member (immutable, so shared), else a copy.</summary>
        public byte[] MemberArray() => this is LongNode longNode ? longNode.Array : Member.ToArray();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Node? Forward(int level) => level == 0 ? Next : _upper![level - 1].Forward;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public long Span(int level) => level == 0 ? 1 : _upper![level - 1].Span;

        public void SetForward(int level, Node? node)
        {
            if (level == 0)
            {
                Next = node;
            }
            else
            {
                _upper![level - 1].Forward = node;
            }
        }

        public void SetSpan(int level, long span)
        {
            if (level > 0)
            {
                _upper![level - 1].Span = span;
            }
        }
    }

    /// <summary>
    /// A node holding its member in <typeparamref name="TBytes"/> (<see cref="ShortMember"/> or <see cref="MediumMember"/>):
    /// byte 0 its length, then its bytes.
    /// </summary>
    private sealed class InlineNode<TBytes> : Node
        where TBytes : struct
    {
        private TBytes _member;

        public InlineNode(double score, ReadOnlySpan<byte> member, int levels)
            : base(score, levels)
        {
            var bytes = MemoryMarshal.CreateSpan(ref Unsafe.As<TBytes, byte>(ref _member), Unsafe.SizeOf<TBytes>());
            bytes[0] = (byte)member.Length;
            member.CopyTo(bytes[1..]);
        }

        public ReadOnlySpan<byte> InlineBytes
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get
            {
                ref var first = ref Unsafe.As<TBytes, byte>(ref _member);
                return MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref first, 1), first);
            }
        }
    }

    /// <summary>A node whose member, longer than <see cref="MediumMember.Capacity"/> bytes, is an array of its own.</summary>
    private sealed class LongNode(double score, byte[] array, int levels) : Node(score, levels)
    {
        public readonly byte[] Array = array;
    }

    /// <summary>A member in its node: byte 0 its length, then its bytes.</summary>
    [InlineArray(Capacity + 1)]
    private struct ShortMember
    {
        public const int Capacity = 15;

        private byte _element;
    }

    /// <summary>A member in its node: byte 0 its length, then its bytes.</summary>
    [InlineArray(Capacity + 1)]
    private struct MediumMember
    {
        public const int Capacity = 23;

        private byte _element;
    }
}
