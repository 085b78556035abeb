using CsCheck;
using PepperCache.Server.Resp;

namespace PepperCache.Server.Tests.Fuzz;

/// <summary>
/// The whole command path fuzzed in-process: batches of commands built from the command table (every command and
/// subcommand, arities right and wrong, arguments by their syntax or drawn from boundary values, keys of every type
/// the table can create) sent to <see cref="RespConnectionHandler"/> over in-memory pipes. Checked for every batch:
/// one well-formed RESP2 reply per command, no exception escaping (the handler's fault log stays empty), the
/// connection closed only by QUIT or a command that closes connections, every batch answered within
/// FUZZ_HANG_SECONDS; and after each node, a live heap below a bound.
/// </summary>
/// <remarks>
/// An input is one node's life: a fresh node, the seed keys, then one to four connections each sending a batch,
/// with the fake clock moved on between them. A failing input therefore replays by itself from its seed, and
/// CsCheck can shrink it. The default run is 1,000 inputs (about 15,000 commands) from a fixed seed; bench/fuzz.sh
/// runs more (FUZZ_ITERATIONS inputs) and docs/testing.md "Fuzzing" records the last long run.
/// <para>
/// Runs with no other test in parallel: its heap bound is the process's live heap, and a test beside it holding a
/// 512 MB bitmap (BitmapCommandsDifferentialTests) put it over the bound (1,088 MB, seen in several partial runs).
/// </para>
/// </remarks>
[Collection(nameof(SortedSets.HeapMeasurement))]
public sealed class CommandPathFuzzTests
{
    private const int MaxCommandsPerBatch = 12;

    // A fresh node per input: anything left on the heap past this after a full collection is a leak.
    private const long MemoryLimit = 1024L * 1024 * 1024;

    private static readonly Gen<FuzzSession> Sessions =
        Gen.Select(Gen.UInt.Array[4, 160], Gen.Int[1, 2048].Array[0, 3], Gen.Int[0, 30], (tape, cuts, advance) => new FuzzBatchInput(tape, cuts, advance))
            .Array[1, 4]
            .Select(batches => new FuzzSession(batches));

    [Fact]
    public async Task EveryCommandGetsOneWellFormedReplyAndNothingEscapes()
    {
        var seeds = FuzzSeeds.Discover();
        var model = new CommandFuzzModel(FuzzNode.Table, seeds.Keys);
        var bound = CommandFuzzRun.HangBound;
        var counters = new CommandFuzzRun.Counters();

        await CommandFuzzRun.ExecuteAsync(
            "commands",
            Sessions,
            session => RunSessionAsync(session, model, seeds, bound, counters),
            CommandFuzzRun.Iterations(1_000),
            session => session.Describe(model, MaxCommandsPerBatch),
            MemoryLimit,
            counters);

        // The fuzzer reached the handlers: most commands were accepted, not only refused.
        Assert.True(counters.Commands > 0 && counters.Errors < counters.Commands * 0.9, $"{counters.Errors} errors in {counters.Commands} replies");
    }

    private static async Task RunSessionAsync(FuzzSession session, CommandFuzzModel model, FuzzSeeds seeds, TimeSpan bound, CommandFuzzRun.Counters counters)
    {
        var node = new FuzzNode();
        await node.RunAsync(seeds.Commands, [], bound);
        foreach (var input in session.Batches)
        {
            var batch = model.BuildBatch(input.Tape, MaxCommandsPerBatch);
            node.Clock.Advance(TimeSpan.FromSeconds(input.AdvanceSeconds));
            var result = await node.RunAsync(batch, input.Cuts, bound);
            counters.Add(batch.Count, result);
        }
    }
}

/// <summary>One connection's batch: the tape it is built from, where its bytes are cut into writes, seconds before it.</summary>
internal sealed record FuzzBatchInput(uint[] Tape, int[] Cuts, int AdvanceSeconds);

/// <summary>One node's life: its batches, one connection each.</summary>
internal sealed record FuzzSession(FuzzBatchInput[] Batches)
{
    public string Describe(CommandFuzzModel model, int maxCommands) => string.Join('\n', Batches.Select((b, i) =>
        $"connection {i + 1} (after {b.AdvanceSeconds} s, writes cut at [{string.Join(',', b.Cuts)}]):\n  " +
        string.Join("\n  ", model.BuildBatch(b.Tape, maxCommands))));
}
