using PepperCache.Cli.Terminal;

namespace PepperCache.Client.Tests.Terminal;

public sealed class LineHistoryTests : IDisposable
{
    private readonly DirectoryInfo _home = Directory.CreateTempSubdirectory("pepper-cli-home-");

    [Fact]
    public void Lines_are_saved_as_typed_and_read_back_by_the_next_session()
    {
        var path = Path.Combine(_home.FullName, ".pepper_cli_history");
        var first = new LineHistory(path);

        first.Remember("set a 1");
        first.Remember("set a 1");
        first.Remember("  ");
        first.Remember("get a");
        var second = new LineHistory(path);

        Assert.Equal(["set a 1", "get a"], second.Lines);
        Assert.Equal("set a 1\nget a\n", File.ReadAllText(path));
    }

    [Theory]
    [InlineData("auth sesame")]
    [InlineData("AUTH user sesame")]
    [InlineData("acl setuser bob >pw")]
    [InlineData("config set requirepass x")]
    [InlineData("hello 3 auth bob pw")]
    public void Lines_with_passwords_are_not_kept(string line)
    {
        var history = new LineHistory(Path.Combine(_home.FullName, "h"));

        history.Remember(line);

        Assert.Empty(history.Lines);
    }

    [Fact]
    public void Only_the_last_thousand_lines_are_kept()
    {
        var history = new LineHistory();

        for (var i = 0; i < LineHistory.MaxLines + 5; i++)
        {
            history.Remember($"echo {i}");
        }

        Assert.Equal(LineHistory.MaxLines, history.Lines.Count);
        Assert.Equal("echo 5", history.Lines[0]);
    }

    [Fact]
    public void The_file_is_in_HOME()
    {
        var before = Environment.GetEnvironmentVariable("HOME");
        Assert.Equal(Path.Combine(before!, ".pepper_cli_history"), LineHistory.DefaultPath());
    }

    public void Dispose() => _home.Delete(recursive: true);
}
