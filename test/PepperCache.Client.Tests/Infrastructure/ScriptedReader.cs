namespace PepperCache.Client.Tests.Infrastructure;

/// <summary>
/// Stdin for an in-process pepper-cli: hands out lines one at a time and can run a step (start a server...)
/// before a given line is read, so a test can change the world between two commands.
/// </summary>
public sealed class ScriptedReader(params (Func<Task>? Before, string Line)[] script) : TextReader
{
    private int _next;

    public override async Task<string?> ReadLineAsync()
    {
        if (_next >= script.Length)
        {
            return null;
        }

        var (before, line) = script[_next++];
        if (before is not null)
        {
            await before();
        }

        return line;
    }

    public override string? ReadLine() => ReadLineAsync().GetAwaiter().GetResult();
}
