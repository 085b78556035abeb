using System.Globalization;
using System.Text;

namespace PepperCache.Cli.Terminal;

internal enum EditOutcome
{
    /// <summary>The line changed or the cursor moved; redraw it.</summary>
    Editing,

    /// <summary>Enter: <see cref="LineEditor.Line"/> is the command.</summary>
    Submitted,

    /// <summary>Ctrl-C: the line is dropped and a new one begins.</summary>
    Cancelled,

    /// <summary>Ctrl-D on an empty line: the session ends.</summary>
    EndOfInput,
}

/// <summary>
/// A one-line editor in the manner of linenoise (redis-cli's): the keys move and edit, Up/Down walk the history,
/// Tab cycles through command names, and a grey hint of the remaining arguments follows the text. It knows nothing of
/// the console: it takes keys and hands back what to draw, so tests can type at it.
/// </summary>
internal sealed class LineEditor(LineHistory history)
{
    private const string HintColor = "\e[90m";
    private const string ResetColor = "\e[0m";
    private const string ClearToEnd = "\e[0K";

    private readonly StringBuilder _line = new();
    private string _prompt = "";
    private int _cursor;

    // Up/Down: which history line is shown; history.Lines.Count stands for the line being typed, kept in _draft.
    private int _historyIndex;
    private string _draft = "";

    // Tab: the names cycled through and the line as it was before the first Tab (shown again after the last name).
    private IReadOnlyList<string>? _completions;
    private int _completionIndex;
    private string _beforeCompletion = "";
    private bool _clearScreen;

    // An escape sequence the console did not turn into a key (ESC [ 1 ; 5 D...): 1 after ESC, 2 inside; swallowed.
    private int _escape;

    /// <summary>The commands for completion and hints; empty until the server has said what it knows.</summary>
    public CommandCatalog Catalog { get; set; } = CommandCatalog.Empty;

    public string Line => _line.ToString();

    public int Cursor => _cursor;

    /// <summary>The grey text after the line: the arguments still to type. None while cycling completions.</summary>
    public string? Hint => _completions is null ? Catalog.HintFor(Line) : null;

    /// <summary>Starts a new, empty line.</summary>
    public void Begin(string prompt)
    {
        _prompt = prompt;
        _line.Clear();
        _cursor = 0;
        _historyIndex = history.Lines.Count;
        _draft = "";
        _completions = null;
    }

    public EditOutcome Handle(ConsoleKeyInfo key)
    {
        if (SwallowEscapeSequence(key))
        {
            return EditOutcome.Editing;
        }

        if (_completions is not null)
        {
            if (key.Key == ConsoleKey.Tab)
            {
                NextCompletion();
                return EditOutcome.Editing;
            }

            // Esc puts the line back as it was; any other key keeps the name shown and then does its own work.
            _completions = null;
            if (key.Key == ConsoleKey.Escape)
            {
                SetLine(_beforeCompletion);
                return EditOutcome.Editing;
            }
        }

        var control = key.Modifiers.HasFlag(ConsoleModifiers.Control);
        switch (key.Key)
        {
            case ConsoleKey.Enter:
                history.Remember(Line);
                return EditOutcome.Submitted;
            case ConsoleKey.C when control:
                return EditOutcome.Cancelled;
            case ConsoleKey.D when control:
                if (_line.Length == 0)
                {
                    return EditOutcome.EndOfInput;
                }

                Delete();
                break;
            case ConsoleKey.Backspace:
            case ConsoleKey.H when control:
                if (_cursor > 0)
                {
                    _cursor--;
                    Delete();
                }

                break;
            case ConsoleKey.Delete:
                Delete();
                break;
            case ConsoleKey.LeftArrow:
            case ConsoleKey.B when control:
                _cursor = Math.Max(0, _cursor - 1);
                break;
            case ConsoleKey.RightArrow:
            case ConsoleKey.F when control:
                _cursor = Math.Min(_line.Length, _cursor + 1);
                break;
            case ConsoleKey.Home:
            case ConsoleKey.A when control:
                _cursor = 0;
                break;
            case ConsoleKey.End:
            case ConsoleKey.E when control:
                _cursor = _line.Length;
                break;
            case ConsoleKey.UpArrow:
            case ConsoleKey.P when control:
                ShowHistory(_historyIndex - 1);
                break;
            case ConsoleKey.DownArrow:
            case ConsoleKey.N when control:
                ShowHistory(_historyIndex + 1);
                break;
            case ConsoleKey.U when control:
                _line.Remove(0, _cursor);
                _cursor = 0;
                break;
            case ConsoleKey.K when control:
                _line.Length = _cursor;
                break;
            case ConsoleKey.W when control:
                DeletePreviousWord();
                break;
            case ConsoleKey.L when control:
                _clearScreen = true;
                break;
            case ConsoleKey.Tab:
                StartCompletion();
                break;
            default:
                if (!control && !key.Modifiers.HasFlag(ConsoleModifiers.Alt) && !char.IsControl(key.KeyChar))
                {
                    _line.Insert(_cursor++, key.KeyChar);
                }

                break;
        }

        return EditOutcome.Editing;
    }

    /// <summary>
    /// What to write to redraw the line on a terminal <paramref name="columns"/> wide: back to the line's start,
    /// prompt, text (scrolled so the cursor stays in view), hint in grey where it fits, clear the rest, cursor placed.
    /// </summary>
    /// <param name="final">Drawing the line as it stays once submitted: no hint, cursor at the end.</param>
    public string Render(int columns, bool final = false)
    {
        columns = Math.Max(columns, _prompt.Length + 2);
        var text = new StringBuilder();
        if (_clearScreen)
        {
            text.Append("\e[H\e[2J");
            _clearScreen = false;
        }

        var start = 0;
        var length = _line.Length;
        var cursor = final ? length : _cursor;
        while (_prompt.Length + cursor >= columns)
        {
            start++;
            length--;
            cursor--;
        }

        length = Math.Min(length, columns - _prompt.Length);
        text.Append('\r').Append(_prompt).Append(_line, start, length);
        var room = columns - _prompt.Length - length - 1;
        if (!final && Hint is { } hint && room > 0)
        {
            text.Append(HintColor).Append(hint.AsSpan(0, Math.Min(room, hint.Length))).Append(ResetColor);
        }

        text.Append(ClearToEnd).Append('\r');
        if (_prompt.Length + cursor > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"\e[{_prompt.Length + cursor}C");
        }

        return text.ToString();
    }

    private bool SwallowEscapeSequence(ConsoleKeyInfo key)
    {
        switch (_escape)
        {
            case 1 when key.KeyChar is '[' or 'O':
                _escape = 2;
                return true;
            case 2:
                // Parameters and intermediates run until a final byte in @..~.
                _escape = key.KeyChar is >= '@' and <= '~' ? 0 : 2;
                return true;
            default:
                _escape = key.Key == ConsoleKey.Escape && _completions is null ? 1 : 0;
                return _escape == 1;
        }
    }

    private void Delete()
    {
        if (_cursor < _line.Length)
        {
            _line.Remove(_cursor, 1);
        }
    }

    private void DeletePreviousWord()
    {
        var start = _cursor;
        while (start > 0 && _line[start - 1] == ' ')
        {
            start--;
        }

        while (start > 0 && _line[start - 1] != ' ')
        {
            start--;
        }

        _line.Remove(start, _cursor - start);
        _cursor = start;
    }

    private void ShowHistory(int index)
    {
        var lines = history.Lines;
        if (index < 0 || index > lines.Count)
        {
            return;
        }

        if (_historyIndex == lines.Count)
        {
            _draft = Line;
        }

        _historyIndex = index;
        SetLine(index == lines.Count ? _draft : lines[index]);
    }

    private void StartCompletion()
    {
        var names = Catalog.Complete(Line);
        if (names.Count == 0)
        {
            return;
        }

        _completions = names;
        _beforeCompletion = Line;
        _completionIndex = 0;
        SetLine(names[0]);
    }

    private void NextCompletion()
    {
        _completionIndex = (_completionIndex + 1) % (_completions!.Count + 1);
        SetLine(_completionIndex == _completions.Count ? _beforeCompletion : _completions[_completionIndex]);
    }

    private void SetLine(string line)
    {
        _line.Clear().Append(line);
        _cursor = line.Length;
    }
}
