using PepperCache.Cli.Terminal;

namespace PepperCache.Cli;

// A named class rather than top-level statements: tests reference this assembly and the server's, and both would
// otherwise define a global Program.
internal static class CliProgram
{
    public static Task<int> Main(string[] args)
    {
        var interactive = !Console.IsInputRedirected;

        // Line editing needs a terminal on both sides: keys in, cursor movements out.
        var terminal = interactive && !Console.IsOutputRedirected
            ? new TerminalLineReader(new LineEditor(new LineHistory(LineHistory.DefaultPath())), Console.Out)
            : null;
        return CliApp.RunAsync(args, Console.In, Console.Out, Console.Error, interactive, terminal);
    }
}
