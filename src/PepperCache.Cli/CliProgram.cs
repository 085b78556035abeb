namespace PepperCache.Cli;

// A named class rather than top-level statements: tests reference this assembly and the server's, and both would
// otherwise define a global Program.
internal static class CliProgram
{
    // Ctrl-C ends the process as usual; line editing (which would clear the line instead) is not in this tool yet.
    public static Task<int> Main(string[] args) =>
        CliApp.RunAsync(args, Console.In, Console.Out, Console.Error, interactive: !Console.IsInputRedirected);
}
