using System.Diagnostics;
using System.Text.RegularExpressions;
using PepperCache.Cli;
using PepperCache.Client.Tests.Infrastructure;

namespace PepperCache.Client.Tests;

/// <summary>pepper-cli driven through its stdin against a live PepperCache node.</summary>
public sealed class CliIntegrationTests(PepperCacheNode node) : IClassFixture<PepperCacheNode>
{
    [Fact]
    public async Task An_interactive_session_prints_exactly_what_the_original_tool_printed()
    {
        var input = new StringReader("get b\nset b\nset b 12\nget b\nexit\nget b\n");

        var (code, output, error) = await RunAsync(["--node", "127.0.0.1", "--port", Port], input, interactive: true);

        Assert.Equal(0, code);
        // The transcript, less what the user typed after each prompt (a terminal echoes that, not the tool).
        const string transcript = """
            Welcome pepperCache-client!
            pepper-cli> get b
            nil
            pepper-cli> set b
            (error) ERR wrong number of arguments for 'set' command
            pepper-cli> set b 12
            OK
            pepper-cli> get b
            12
            pepper-cli> exit
            goodbye!

            """;
        Assert.Equal(Regex.Replace(transcript, "pepper-cli> [^\n]*\n", "pepper-cli> "), output);
        Assert.Empty(error);
    }

    [Fact]
    public async Task Piped_commands_run_line_by_line_without_prompts()
    {
        var input = new StringReader(
            "set piped:k \"a\\x00b\"\n\nget piped:k\nincr piped:n\nmget piped:n piped:none\nkeys piped:nothing*\nset piped:k \"x\n");

        var (code, output, error) = await RunAsync(["--port", Port], input, interactive: false);

        Assert.Equal(0, code);
        Assert.Equal("OK\n\"a\\x00b\"\n(integer) 1\n1) 1\n2) nil\n(empty array)\nInvalid argument(s)\n", output);
        Assert.Empty(error);
    }

    [Fact]
    public async Task Raw_output_prints_values_only()
    {
        var input = new StringReader("set raw:k v\nincr raw:n\nmget raw:k raw:n\nset raw:k\n");

        var (_, output, _) = await RunAsync(["--raw", "--port", Port], input, interactive: false);

        Assert.Equal("OK\n1\nv\n1\nERR wrong number of arguments for 'set' command\n", output);
    }

    [Fact]
    public async Task One_shot_mode_prints_the_reply_and_exits_1_only_on_an_error_reply()
    {
        var set = await RunAsync(["--node", "127.0.0.1", "--port", Port, "set", "oneshot:k", "hello world"], new StringReader(""), interactive: false);
        var get = await RunAsync(["--port", Port, "get", "oneshot:k"], new StringReader(""), interactive: false);
        var bad = await RunAsync(["--port", Port, "set", "oneshot:k"], new StringReader(""), interactive: false);

        Assert.Equal((0, "OK\n", ""), set);
        Assert.Equal((0, "hello world\n", ""), get);
        Assert.Equal((1, "(error) ERR wrong number of arguments for 'set' command\n", ""), bad);
    }

    [Fact]
    public async Task A_node_that_is_down_is_reported_and_used_once_it_is_up()
    {
        var port = RedisServerProcess.FreePort();
        await using var redis = new RedisServerProcess();
        var input = new ScriptedReader(
            (null, "ping"),
            (() => redis.StartAsync(port).AsTask(), "ping"),
            (null, "exit"));

        var (code, output, _) = await RunAsync(["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], input, interactive: true);

        Assert.Equal(0, code);
        Assert.Equal(
            $"Welcome pepperCache-client!\npepper-cli> Could not connect to 127.0.0.1:{port}: Connection refused\npepper-cli> PONG\npepper-cli> goodbye!\n",
            output);
    }

    [Fact]
    public async Task A_node_that_goes_away_is_reported_and_used_again_after_a_restart()
    {
        var port = RedisServerProcess.FreePort();
        var portText = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var first = new RedisServerProcess();
        await first.StartAsync(port);
        await using var second = new RedisServerProcess();
        var input = new ScriptedReader(
            (null, "ping"),
            (() => first.DisposeAsync().AsTask(), "ping"),
            (() => second.StartAsync(port).AsTask(), "echo back"),
            (null, "exit"));

        var (code, output, _) = await RunAsync(["--port", portText], input, interactive: false);

        Assert.Equal(0, code);
        Assert.Equal($"PONG\nCould not connect to 127.0.0.1:{port}: Connection refused\nback\n", output);
    }

    [Fact]
    public async Task A_command_after_a_node_restart_is_sent_again_on_a_new_connection()
    {
        var port = RedisServerProcess.FreePort();
        await using var first = new RedisServerProcess();
        await first.StartAsync(port);
        await using var second = new RedisServerProcess();
        var input = new ScriptedReader(
            (null, "echo before"),
            (async () =>
            {
                await first.DisposeAsync();
                await second.StartAsync(port);
            }, "echo after"));

        var (code, output, _) = await RunAsync(["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], input, interactive: false);

        Assert.Equal(0, code);
        Assert.Equal("before\nafter\n", output);
    }

    [Fact]
    public async Task One_shot_mode_against_a_node_that_is_down_fails_on_stderr()
    {
        var port = RedisServerProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var result = await RunAsync(["--port", port, "get", "a"], new StringReader(""), interactive: false);

        Assert.Equal((1, "", $"Could not connect to 127.0.0.1:{port}: Connection refused\n"), result);
    }

    [Fact]
    public async Task Help_and_bad_flags()
    {
        var help = await RunAsync(["--help"], new StringReader(""), interactive: false);
        var bad = await RunAsync(["--port", "nope"], new StringReader(""), interactive: false);

        Assert.Equal(0, help.Code);
        Assert.StartsWith("Usage of pepper-cli:", help.Output, StringComparison.Ordinal);
        Assert.Equal(2, bad.Code);
        Assert.Equal("error: invalid value \"nope\" for flag -port: parse error (see --help)\n", bad.Error);
    }

    [Fact]
    public async Task Repeat_sends_a_one_shot_command_r_times_i_seconds_apart()
    {
        var repeated = await RunAsync(["--port", Port, "-r", "3", "-i", "0.01", "incr", "repeat:n"], new StringReader(""), interactive: false);
        var errors = await RunAsync(["--port", Port, "-r", "2", "set", "repeat:n"], new StringReader(""), interactive: false);

        Assert.Equal((0, "(integer) 1\n(integer) 2\n(integer) 3\n", ""), repeated);
        Assert.Equal((1, "(error) ERR wrong number of arguments for 'set' command\n(error) ERR wrong number of arguments for 'set' command\n", ""), errors);
    }

    [Fact]
    public async Task A_number_before_a_command_in_a_session_repeats_it()
    {
        var input = new StringReader("3 incr prefix:n\n0 incr prefix:n\n-2 incr prefix:n\n7\nget prefix:n\n");

        var (code, output, _) = await RunAsync(["--port", Port], input, interactive: false);

        Assert.Equal(0, code);
        Assert.Equal(
            "(integer) 1\n(integer) 2\n(integer) 3\n" +
            "Invalid pepper-cli repeat command option value.\nInvalid pepper-cli repeat command option value.\n" +
            "(error) ERR unknown command '7', with args beginning with: \n3\n",
            output);
    }

    [Fact]
    public async Task A_password_is_sent_with_AUTH_on_each_connection_with_redis_clis_warning()
    {
        await using var redis = new RedisServerProcess();
        await redis.InitializeAsync();
        var port = redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal((0, "OK\n", ""), await RunAsync(["-p", port, "config", "set", "requirepass", "sesame"], new StringReader(""), interactive: false));

        var good = await RunAsync(["-p", port, "-a", "sesame", "ping"], new StringReader(""), interactive: false);
        var quiet = await RunAsync(["-p", port, "-a", "sesame", "--no-auth-warning"], new StringReader("set k v\nget k\n"), interactive: false);
        var wrong = await RunAsync(["-p", port, "-a", "nope", "--no-auth-warning", "get", "k"], new StringReader(""), interactive: false);
        var none = await RunAsync(["-p", port, "get", "k"], new StringReader(""), interactive: false);

        Assert.Equal((0, "PONG\n", "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.\n"), good);
        Assert.Equal((0, "OK\nv\n", ""), quiet);
        Assert.Equal((1, "(error) NOAUTH Authentication required.\n", "AUTH failed: WRONGPASS invalid username-password pair or user is disabled.\n"), wrong);
        Assert.Equal((1, "(error) NOAUTH Authentication required.\n", ""), none);
    }

    [Fact]
    public async Task The_built_tool_reads_piped_stdin_as_a_process()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "pepper-cli.dll"), "--port", Port })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync("set process:k 1\nincr process:k\nget process:k\n");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal("", await error);
        Assert.Equal("OK\n(integer) 2\n2\n", await output);
        Assert.Equal(0, process.ExitCode);
    }

    private string Port => node.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<(int Code, string Output, string Error)> RunAsync(string[] args, TextReader input, bool interactive)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        var code = await CliApp.RunAsync(args, input, output, error, interactive)
            .WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }
}
