namespace PepperCache.Cli.Terminal;

/// <summary>Runs a <see cref="LineEditor"/> on the real console: keys from Console.ReadKey, drawing to stdout.</summary>
internal sealed class TerminalLineReader(LineEditor editor, TextWriter output)
{
    private static readonly ConsoleKeyInfo CtrlC = new('\x03', ConsoleKey.C, shift: false, alt: false, control: true);

    private bool _subscribed;
    private volatile bool _editing;
    private volatile bool _interrupted;

    public LineEditor Editor => editor;

    /// <summary>Reads one line; null on Ctrl-D at an empty line. Ctrl-C abandons the line and starts a new one.</summary>
    public string? ReadLine(string prompt)
    {
        // Ctrl-C is a key while editing (it clears the line); while a command runs it interrupts as usual.
        Console.TreatControlCAsInput = true;
        if (!_subscribed)
        {
            Console.CancelKeyPress += OnCancelKeyPress;
            _subscribed = true;
        }

        _editing = true;
        try
        {
            editor.Begin(prompt);
            output.Write(editor.Render(Width()));
            while (true)
            {
                // The runtime puts the terminal in raw mode only while ReadKey waits: a Ctrl-C typed while a key is
                // drawn reaches the process as SIGINT, which OnCancelKeyPress turns back into the key.
                var key = _interrupted ? CtrlC : Console.ReadKey(intercept: true);
                _interrupted = false;
                var outcome = editor.Handle(key);
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
            _editing = false;
            Console.TreatControlCAsInput = false;
        }
    }

    /// <summary>While a line is edited, SIGINT clears it, as the key does; while a command runs, it ends the session as usual.</summary>
    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (_editing)
        {
            e.Cancel = true;
            _interrupted = true;
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
