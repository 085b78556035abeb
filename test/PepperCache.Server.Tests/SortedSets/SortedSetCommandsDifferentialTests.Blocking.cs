namespace PepperCache.Server.Tests.SortedSets;

// The blocking pops when they need not block (a sorted set is there, or the arguments are refused), and what a short
// timeout answers; waits across connections are in SortedSetBlockingIntegrationTests.
public sealed partial class SortedSetCommandsDifferentialTests
{
    [Fact]
    public Task BlockingPopsAnswerAtOnceWhenTheyCan() => RunAsync("""
        > ZADD bz:a 1 one 2 two 3 three
        > BZPOPMIN bz:nokey bz:a 0
        > BZPOPMAX bz:nokey bz:a 1.5
        > BZPOPMIN bz:a 0.01
        > EXISTS bz:a
        > BZPOPMIN bz:a 0.01
        > BZPOPMAX bz:a bz:b 0.02
        > ZADD bz:m 1 a 2 b 3 c 4 d
        > BZMPOP 0 2 bz:nokey bz:m MIN COUNT 2
        > BZMPOP 0.01 1 bz:m MAX
        > BZMPOP 0 1 bz:m max COUNT 10
        > EXISTS bz:m
        > BZMPOP 0.01 2 bz:m bz:nokey MIN COUNT 3
        > ZADD bz:f 0.5 x -inf y inf z
        > BZPOPMIN bz:f 0
        > BZPOPMAX bz:f 0
        > BZMPOP 0 1 bz:f MIN
        """);

    [Fact]
    public Task BlockingPopsRefuseBadArgumentsAndOtherTypes() => RunAsync("""
        > ZADD bze:a 1 one
        > BZPOPMIN bze:a x
        > BZPOPMIN bze:a -1
        > BZPOPMAX bze:a -0.5
        > BZPOPMIN bze:a inf
        > BZPOPMIN bze:a 1e30
        > BZPOPMIN bze:a nan
        > BZPOPMIN bze:a ""
        > BZPOPMIN bze:a " 1"
        > BZPOPMIN bze:a 9223372036854775807
        > BZPOPMIN bze:a
        > BZPOPMAX
        > BZMPOP x 1 bze:a MIN
        > BZMPOP -1 1 bze:a MIN
        > BZMPOP 0 0 bze:a MIN
        > BZMPOP 0 -1 bze:a MIN
        > BZMPOP 0 x bze:a MIN
        > BZMPOP 0 2 bze:a MIN
        > BZMPOP 0 1 bze:a MIDDLE
        > BZMPOP x 1 bze:a MIDDLE
        > BZMPOP -1 1 bze:a MIN COUNT 0
        > BZMPOP 0 1 bze:a MIN COUNT -1
        > BZMPOP 0 1 bze:a MIN COUNT x
        > BZMPOP 0 1 bze:a MIN COUNT 1 COUNT 2
        > BZMPOP 0 1 bze:a MIN COUNT
        > BZMPOP 0 1 bze:a MIN FOO
        > BZMPOP 0 9223372036854775807 bze:a MIN
        > BZMPOP 0 1 bze:a
        > BZMPOP 0 1 bze:a MIN x
        > SET bze:s x
        > BZPOPMIN bze:s 0
        > BZPOPMIN bze:nokey bze:s 0
        > BZPOPMAX bze:s bze:a 0
        > BZPOPMAX bze:a bze:s 0
        > BZMPOP 0 2 bze:nokey bze:s MIN
        > RPUSH bze:l v
        > BZPOPMIN bze:l 0
        > BZMPOP 0 1 bze:l MAX
        > ZCARD bze:a
        """);
}
