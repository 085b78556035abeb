using PepperCache.Core.Types;

namespace PepperCache.Server.Commands;

/// <summary>
/// A source of the sorted-set algebra (ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD): a sorted set, or a
/// plain set whose members all score 1, as Redis's zsetopsrc reads either. Missing keys are the default (no members).
/// </summary>
internal readonly struct ScoredSource
{
    private readonly SortedSetObject? _sorted;
    private readonly SetObject? _set;

    public ScoredSource(SortedSetObject sorted) => _sorted = sorted;

    public ScoredSource(SetObject set) => _set = set;

    public bool Exists => _sorted is not null || _set is not null;

    public long Count => _sorted?.Count ?? _set?.Count ?? 0;

    /// <summary>The member's score: its own in a sorted set, 1 in a set.</summary>
    public bool TryGetScore(ReadOnlySpan<byte> member, out double score)
    {
        if (_sorted is not null)
        {
            return _sorted.TryGetScore(member, out score);
        }

        score = 1;
        return _set is not null && _set.Contains(member);
    }

    /// <summary>Every member with its score: a sorted set in rank order, a set in its own order.</summary>
    public IEnumerable<(byte[] Member, double Score)> Members()
    {
        if (_sorted is not null)
        {
            var walker = _sorted.WalkFrom(0, reverse: false);
            while (walker.MoveNext())
            {
                yield return (walker.MemberArray(), walker.Score);
            }
        }
        else if (_set is not null)
        {
            foreach (var member in _set)
            {
                yield return (member.ToArray(), 1);
            }
        }
    }
}
