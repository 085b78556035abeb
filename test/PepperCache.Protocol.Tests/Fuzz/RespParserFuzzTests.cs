namespace PepperCache.Protocol.Tests.Fuzz;

/// <summary>
/// The RESP parser fuzzed in-process (see <see cref="ParserProperties"/> for what is checked, and
/// <see cref="RespFuzzInputs"/> for the inputs). The default run is 30,000 inputs from a fixed seed; bench/fuzz.sh
/// runs millions (FUZZ_ITERATIONS) and docs/testing.md "Fuzzing" records the last long run.
/// </summary>
public sealed class RespParserFuzzTests
{
    // Parsing keeps no state between inputs: anything left on the heap past this is a leak.
    private const long MemoryLimit = 512L * 1024 * 1024;

    [Fact]
    public void ParserHoldsItsPropertiesOnGeneratedInput() =>
        FuzzRun.Execute("parser", RespFuzzInputs.Case, ParserProperties.Check, FuzzRun.Iterations(30_000), c => c.ToString(), MemoryLimit);
}
