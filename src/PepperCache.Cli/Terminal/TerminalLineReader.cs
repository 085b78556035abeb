namespace PepperCache.Cli.Terminal;

/// <summary>Runs a <see cref="LineEditor"/> on the real console: keys from Console.ReadKey, drawing to stdout.</summary>
internal sealed class TerminalLineReader(LineEditor editor, TextWriter output)
{
    public LineEditor Editor => editor;

    /// <summary>Reads one line; null on Ctrl-D at an empty line. Ctrl-C abandons the line and starts a new one.</summary>
    public string? ReadLine(string prompt)
    {
        // Ctrl-C is a key while editing (it clears the line); while a command runs it interrupts as usual.
        Console.TreatControlCAsInput = true;
        try
        {
            editor.Begin(prompt);
            output.Write(editor.Render(Width()));
            while (true)
            {
                var outcome = editor.Handle(Console.ReadKey(intercept: true));
                switch (outcome)
                {
                    case EditOutcome.Submitted:
                        output.Write(editor.Render(Width(), final: true));
                        output.Write('\n');
                        return editor.Line;
                    case EditOutcome.EndOfInput:
                        output.Write(editor.Render(Width(), final: true));
                        return null;
                    case EditOutcome.Cancelled:
                        output.Write(editor.Render(Width(), final: true));
                        output.Write("^C\n");
                        editor.Begin(prompt);
                        break;
                }

                output.Write(editor.Render(Width()));
                output.Flush();
            }
        }
        finally
        {
            Console.TreatControlCAsInput = false;
        }
    }

    private static int Width()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }
}
