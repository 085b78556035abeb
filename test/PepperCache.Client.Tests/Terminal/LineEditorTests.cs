using PepperCache.Cli;
using PepperCache.Cli.Terminal;
using PepperCache.Protocol;

namespace PepperCache.Client.Tests.Terminal;

public sealed class LineEditorTests
{
    private static readonly ConsoleKeyInfo Left = Key(ConsoleKey.LeftArrow);
    private static readonly ConsoleKeyInfo Right = Key(ConsoleKey.RightArrow);
    private static readonly ConsoleKeyInfo Home = Key(ConsoleKey.Home);
    private static readonly ConsoleKeyInfo End = Key(ConsoleKey.End);
    private static readonly ConsoleKeyInfo Backspace = Key(ConsoleKey.Backspace, '\x7f');
    private static readonly ConsoleKeyInfo Delete = Key(ConsoleKey.Delete);
    private static readonly ConsoleKeyInfo Up = Key(ConsoleKey.UpArrow);
    private static readonly ConsoleKeyInfo Down = Key(ConsoleKey.DownArrow);
    private static readonly ConsoleKeyInfo Tab = Key(ConsoleKey.Tab, '\t');
    private static readonly ConsoleKeyInfo Escape = Key(ConsoleKey.Escape, '\e');
    private static readonly ConsoleKeyInfo Enter = Key(ConsoleKey.Enter, '\r');

    [Fact]
    public void Typed_characters_go_in_at_the_cursor_which_the_arrows_home_and_end_move()
    {
        var editor = NewEditor();

        Type(editor, "get ky");
        Type(editor, Left);
        Type(editor, "e");
        Type(editor, Home);
        Type(editor, "m");
        Type(editor, End);
        Type(editor, "1");
        Type(editor, Left, Left, Left, Left, Right);

        Assert.Equal("mget key1", editor.Line);
        Assert.Equal(6, editor.Cursor);
    }

    [Fact]
    public void Backspace_deletes_before_the_cursor_and_delete_under_it()
    {
        var editor = NewEditor();

        Type(editor, "sett kk");
        Type(editor, Left, Left, Left, Backspace);
        Assert.Equal(("set kk", 3), (editor.Line, editor.Cursor));
        Type(editor, Left, Delete);
        Assert.Equal("se kk", editor.Line);
        Type(editor, Key(ConsoleKey.T, 't'), End, Backspace);
        Type(editor, Home, Backspace, End, Delete); // nothing before the start or after the end

        Assert.Equal("set k", editor.Line);
        Assert.Equal(5, editor.Cursor);
    }

    [Fact]
    public void Control_keys_edit_as_in_emacs_and_linenoise()
    {
        var editor = NewEditor();

        Type(editor, "set key value");
        Type(editor, Ctrl(ConsoleKey.W));
        Assert.Equal("set key ", editor.Line);
        Type(editor, Ctrl(ConsoleKey.A), Ctrl(ConsoleKey.F), Ctrl(ConsoleKey.F), Ctrl(ConsoleKey.F), Ctrl(ConsoleKey.K));
        Assert.Equal("set", editor.Line);
        Type(editor, Ctrl(ConsoleKey.B), Ctrl(ConsoleKey.U));
        Assert.Equal(("t", 0), (editor.Line, editor.Cursor));
        Type(editor, Ctrl(ConsoleKey.E), Ctrl(ConsoleKey.H));
        Assert.Equal("", editor.Line);
    }

    [Fact]
    public void Enter_submits_Ctrl_C_cancels_and_Ctrl_D_ends_only_on_an_empty_line()
    {
        var editor = NewEditor();

        Type(editor, "ping");
        Assert.Equal(EditOutcome.Editing, editor.Handle(Ctrl(ConsoleKey.D)));
        Assert.Equal(EditOutcome.Cancelled, editor.Handle(Ctrl(ConsoleKey.C)));
        Assert.Equal(EditOutcome.Submitted, editor.Handle(Enter));
        Assert.Equal("ping", editor.Line);
        editor.Begin("> ");
        Assert.Equal(EditOutcome.EndOfInput, editor.Handle(Ctrl(ConsoleKey.D)));
    }

    [Fact]
    public void Escape_sequences_the_console_does_not_know_are_dropped_whole()
    {
        var editor = NewEditor();

        Type(editor, "ab");
        Type(editor, Escape);
        Type(editor, "[1;5D");
        Type(editor, Escape);
        Type(editor, "OPc");

        Assert.Equal("abc", editor.Line);
    }

    [Fact]
    public void Up_and_down_walk_the_history_and_come_back_to_the_line_being_typed()
    {
        var history = new LineHistory();
        var editor = new LineEditor(history);
        foreach (var line in new[] { "set a 1", "get a" })
        {
            editor.Begin("> ");
            Type(editor, line);
            editor.Handle(Enter);
        }

        editor.Begin("> ");
        Type(editor, "inc");
        Type(editor, Up);
        Assert.Equal(("get a", 5), (editor.Line, editor.Cursor));
        Type(editor, Up, Up);
        Assert.Equal("set a 1", editor.Line);
        Type(editor, Down);
        Assert.Equal("get a", editor.Line);
        Type(editor, Down, Down);
        Assert.Equal("inc", editor.Line);
    }

    [Fact]
    public void Tab_cycles_through_command_names_then_back_to_what_was_typed()
    {
        var editor = NewEditor();

        Type(editor, "ge");
        Type(editor, Tab);
        Assert.Equal("GET", editor.Line);
        Type(editor, Tab);
        Assert.Equal("GETRANGE", editor.Line);
        Type(editor, Tab);
        Assert.Equal("ge", editor.Line);
        Type(editor, Tab, Escape);
        Assert.Equal("ge", editor.Line);
        Type(editor, Tab, Tab);
        Type(editor, " k");
        Assert.Equal("GETRANGE k", editor.Line);
        Type(editor, Key(ConsoleKey.Tab, '\t'));
        Assert.Equal("GETRANGE k", editor.Line); // nothing starts with the whole line: no change
    }

    [Fact]
    public void The_hint_shows_the_arguments_not_yet_typed()
    {
        var editor = NewEditor();

        Type(editor, "set");
        Assert.Equal(" key value [NX|XX]", editor.Hint);
        Type(editor, " ");
        Assert.Equal("key value [NX|XX]", editor.Hint);
        Type(editor, "k v");
        Assert.Equal(" [NX|XX]", editor.Hint);
        Type(editor, " nx");
        Assert.Equal(" [NX|XX]", editor.Hint); // optional parts stay, as in redis-cli
        Type(editor, Ctrl(ConsoleKey.U));
        Type(editor, "client kill ");
        Assert.Equal("ip:port", editor.Hint);
    }

    [Fact]
    public void Rendering_redraws_prompt_line_and_grey_hint_then_places_the_cursor()
    {
        var editor = NewEditor();
        Type(editor, "get");
        Type(editor, Left);

        Assert.Equal("\rpepper-cli> get\e[90m key\e[0m\e[0K\r\e[14C", editor.Render(80));
        Assert.Equal("\rpepper-cli> get\e[0K\r\e[15C", editor.Render(80, final: true));
    }

    [Fact]
    public void A_line_wider_than_the_terminal_scrolls_to_keep_the_cursor_in_view()
    {
        var editor = NewEditor();
        Type(editor, "echo abcdefghijklmnopqrstuvwxyz");

        // 12 prompt + 31 text in 30 columns: the start scrolls off, the cursor stays in the last column.
        Assert.Equal("\rpepper-cli> jklmnopqrstuvwxyz\e[0K\r\e[29C", editor.Render(30));
    }

    private static LineEditor NewEditor()
    {
        var editor = new LineEditor(new LineHistory()) { Catalog = Catalog() };
        editor.Begin("pepper-cli> ");
        return editor;
    }

    // A small COMMAND DOCS reply: GET, GETRANGE, SET (with a one-of) and CLIENT KILL (a subcommand).
    private static CommandCatalog Catalog()
    {
        static RespReply Map(params object[] pairs) => RespReply.FromArray([.. pairs.Select(p => p as RespReply ?? RespReply.Bulk((string)p))]);
        static RespReply List(params RespReply[] items) => RespReply.FromArray(items);
        var key = Map("name", "key", "type", "key");
        var docs = Map(
            "get", Map("summary", "Get", "arguments", List(key)),
            "getrange", Map("arguments", List(key, Map("name", "start", "type", "integer"), Map("name", "end", "type", "integer"))),
            "set", Map("arguments", List(key, Map("name", "value", "type", "string"),
                Map("name", "condition", "type", "oneof", "flags", List(RespReply.Bulk("optional")), "arguments", List(
                    Map("name", "nx", "type", "pure-token", "token", "NX"), Map("name", "xx", "type", "pure-token", "token", "XX"))))),
            "client", Map("summary", "A container", "subcommands", Map(
                "client|kill", Map("arguments", List(Map("name", "ip:port", "type", "string"))))));
        return CommandCatalog.Parse(docs);
    }

    private static void Type(LineEditor editor, string text)
    {
        foreach (var c in text)
        {
            Assert.Equal(EditOutcome.Editing, editor.Handle(new ConsoleKeyInfo(c, ConsoleKey.NoName, false, false, false)));
        }
    }

    private static void Type(LineEditor editor, params ConsoleKeyInfo[] keys)
    {
        foreach (var key in keys)
        {
            Assert.Equal(EditOutcome.Editing, editor.Handle(key));
        }
    }

    private static ConsoleKeyInfo Key(ConsoleKey key, char c = '\0') => new(c, key, false, false, false);

    private static ConsoleKeyInfo Ctrl(ConsoleKey key) => new((char)(key - ConsoleKey.A + 1), key, false, false, true);
}
