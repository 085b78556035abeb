using System.Collections;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using PepperCache.Server.Hosting;

namespace PepperCache.Server.Tests;

public sealed class ServerArgumentsTests
{
    private static readonly Hashtable NoEnvironment = [];

    [Theory]
    [InlineData("--port=9005")]
    [InlineData("--port 9005")]
    [InlineData("-port 9005")]
    [InlineData("-port=9005")]
    public void EveryFlagFormOfTheOriginalToolIsAccepted(string commandLine)
    {
        var (arguments, stdout, stderr) = Parse(commandLine.Split(' '));

        Assert.Null(arguments.ExitCode);
        Assert.Equal("9005", arguments.Settings["PepperCache:Port"]);
        Assert.Empty(stdout);
        Assert.Empty(stderr);
    }

    [Fact]
    public void EachFlagSetsItsConfigurationKey()
    {
        var (arguments, _, _) = Parse(
            "--node", "10.0.0.7", "--cluster", "10.0.0.1", "--port", "9005", "--admin-port", "18089",
            "--bind", "0.0.0.0", "--proto-max-bulk-len", "1mb", "--hz", "50", "--io-threads", "3");

        Assert.Null(arguments.ExitCode);
        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["PepperCache:Node"] = "10.0.0.7",
                ["PepperCache:Cluster"] = "10.0.0.1",
                ["PepperCache:Port"] = "9005",
                ["PepperCache:AdminPort"] = "18089",
                ["PepperCache:Bind"] = "0.0.0.0",
                ["PepperCache:ProtoMaxBulkLen"] = "1048576",
                ["PepperCache:Hz"] = "50",
                ["PepperCache:IoThreads"] = "3",
            },
            arguments.Settings);
        Assert.Empty(arguments.HostArguments);
    }

    [Fact]
    public void ClientLimitFlagsSetTheirKeys()
    {
        var (arguments, _, stderr) = Parse(
            "--maxclients", "4294967295", "--timeout", "30", "--tcp-keepalive=0", "--client-output-buffer-limit", "normal 1mb 512kb 10 pubsub 0 0 0");

        Assert.Empty(stderr);
        Assert.Null(arguments.ExitCode);
        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["PepperCache:MaxClients"] = "4294967295",
                ["PepperCache:Timeout"] = "30",
                ["PepperCache:TcpKeepAlive"] = "0",
                ["PepperCache:ClientOutputBufferLimit"] = "normal 1mb 512kb 10 pubsub 0 0 0",
            },
            arguments.Settings);
    }

    [Fact]
    public void NoArgumentsSetNothingSoTheDefaultsApply()
    {
        var (arguments, stdout, stderr) = Parse();

        Assert.Null(arguments.ExitCode);
        Assert.Empty(arguments.Settings);
        var defaults = new PepperCacheOptions();
        Assert.Equal(("127.0.0.1", "", 9004, 18088, "127.0.0.1"), (defaults.Node, defaults.Cluster, defaults.Port, defaults.AdminPort, defaults.BindAddress));
        Assert.Empty(stdout);
        Assert.Empty(stderr);
    }

    [Fact]
    public void EnvironmentVariablesSetTheSameKeysAndFlagsWinOverThem()
    {
        var environment = new Hashtable
        {
            ["PEPPER_PORT"] = "9100",
            ["PEPPER_ADMIN_PORT"] = "18100",
            ["PEPPER_PROTO_MAX_BULK_LEN"] = "2kb",
            ["OTHER_PORT"] = "1",
        };

        var (arguments, _, _) = ParseWith(environment, "--port", "9200");

        Assert.Equal("9200", arguments.Settings["PepperCache:Port"]);
        Assert.Equal("18100", arguments.Settings["PepperCache:AdminPort"]);
        Assert.Equal("2048", arguments.Settings["PepperCache:ProtoMaxBulkLen"]);
        Assert.Equal(3, arguments.Settings.Count);
    }

    [Fact]
    public void FlagsBeatEnvironmentWhichBeatsAppSettings()
    {
        var contentRoot = Directory.CreateTempSubdirectory("peppercache-settings-").FullName;
        try
        {
            File.WriteAllText(
                Path.Combine(contentRoot, "appsettings.json"),
                """{ "PepperCache": { "Port": 9101, "AdminPort": 18101, "Node": "10.0.0.1", "Hz": 20 } }""");
            var environment = new Hashtable { ["PEPPER_ADMIN_PORT"] = "18102", ["PEPPER_PORT"] = "9102" };
            var (arguments, _, _) = ParseWith(environment, "--port", "9103");

            var builder = WebApplication.CreateBuilder(new WebApplicationOptions
            {
                Args = [.. arguments.HostArguments],
                ContentRootPath = contentRoot,
            });
            builder.AddPepperCache(arguments);
            var options = builder.Configuration.GetSection(PepperCacheOptions.SectionName).Get<PepperCacheOptions>()!;

            Assert.Equal(9103, options.Port);       // flag over environment and file
            Assert.Equal(18102, options.AdminPort); // environment over file
            Assert.Equal("10.0.0.1", options.Node); // file over built-in default
            Assert.Equal(20, options.Hz);
        }
        finally
        {
            Directory.Delete(contentRoot, recursive: true);
        }
    }

    [Theory]
    [InlineData("error: invalid value \"70000\" for flag -port: must be a port number 0-65535 (see --help)", "--port", "70000")]
    [InlineData("error: invalid value \"-1\" for flag -admin-port: must be a port number 0-65535 (see --help)", "--admin-port=-1")]
    [InlineData("error: invalid value \"abc\" for flag -port: must be a port number 0-65535 (see --help)", "-port", "abc")]
    [InlineData("error: invalid value \"501\" for flag -hz: must be 1-500 (see --help)", "--hz", "501")]
    [InlineData("error: invalid value \"129\" for flag -io-threads: must be 0-128 (0 = one per core) (see --help)", "--io-threads", "129")]
    [InlineData("error: invalid value \"-1\" for flag -io-threads: must be 0-128 (0 = one per core) (see --help)", "--io-threads=-1")]
    [InlineData("error: invalid value \"lots\" for flag -proto-max-bulk-len: must be a size such as 512mb (see --help)", "--proto-max-bulk-len", "lots")]
    [InlineData("error: invalid value \"not an address\" for flag -node: not an IP address or host name (see --help)", "--node", "not an address")]
    [InlineData("error: invalid value \"0\" for flag -maxclients: must be 1-4294967295 (see --help)", "--maxclients", "0")]
    [InlineData("error: invalid value \"-5\" for flag -timeout: must be a non-negative integer (see --help)", "--timeout=-5")]
    [InlineData("error: invalid value \"normal 1mb 2mb\" for flag -client-output-buffer-limit: Wrong number of arguments in buffer limit configuration. (see --help)",
        "--client-output-buffer-limit", "normal 1mb 2mb")]
    [InlineData("error: invalid value \"master 1 2 3\" for flag -client-output-buffer-limit: Invalid client class specified in buffer limit configuration. (see --help)",
        "--client-output-buffer-limit", "master 1 2 3")]
    [InlineData("error: flag provided but not defined: -verbose (see --help)", "--verbose")]
    [InlineData("error: flag needs an argument: -cluster (see --help)", "--cluster")]
    [InlineData("error: unexpected argument 'extra' (see --help)", "--port", "9004", "extra")]
    [InlineData("error: unexpected argument '--' (see --help)", "--")]
    public void BadArgumentsGiveOneLineAndExitCodeTwo(string expected, params string[] args)
    {
        var (arguments, stdout, stderr) = Parse(args);

        Assert.Equal(2, arguments.ExitCode);
        Assert.Equal(expected + Environment.NewLine, stderr);
        Assert.Empty(stdout);
    }

    [Fact]
    public void BadEnvironmentValueNamesTheVariable()
    {
        var (arguments, _, stderr) = ParseWith(new Hashtable { ["PEPPER_HZ"] = "0" });

        Assert.Equal(2, arguments.ExitCode);
        Assert.Equal("error: invalid value \"0\" for PEPPER_HZ: must be 1-500 (see --help)" + Environment.NewLine, stderr);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-help")]
    [InlineData("-h")]
    [InlineData("--h")]
    public void HelpPrintsUsageAndExitsZero(string flag)
    {
        var (arguments, stdout, stderr) = Parse("--port", "9005", flag);

        Assert.Equal(0, arguments.ExitCode);
        Assert.Equal(ServerArguments.Usage(), stdout);
        Assert.Empty(stderr);
    }

    [Fact]
    public void UsageIsLaidOutAsGoFlagPrintDefaults()
    {
        var usage = ServerArguments.Usage();

        Assert.StartsWith(
            "Usage of server:\n" +
            "  -aclfile string\n" +
            "    \tusers file for ACL SAVE and ACL LOAD, loaded at start-up\n" +
            "  -admin-port int\n" +
            "    \tadmin HTTP port (default 18088)\n" +
            "  -aof-fix\n" +
            "    \ttruncate a corrupt append-only file at its last good record, then exit\n" +
            "  -appendfsync string\n" +
            "    \tfsync policy: always, everysec or no (default \"everysec\")\n" +
            "  -appendonly string\n" +
            "    \tlog every write to appendonly.aof and replay it at start-up (default \"yes\")\n" +
            "  -auto-aof-rewrite-min-size string\n" +
            "    \tsmallest append-only file rewritten automatically (default \"64mb\")\n" +
            "  -auto-aof-rewrite-percentage int\n" +
            "    \tgrowth since the last rewrite that starts one (0 = never) (default 100)\n" +
            "  -bind string\n" +
            "    \tlisten address (defaults to the node address)\n" +
            "  -client-output-buffer-limit string\n" +
            "    \tclose clients whose unsent replies pass <hard> bytes, or <soft> for <seconds>: groups of <class> <hard> <soft> <seconds> " +
            "(default \"normal 0 0 0 replica 256mb 64mb 60 pubsub 32mb 8mb 60\")\n" +
            "  -cluster string\n" +
            "    \tcluster address (host or host:admin-port of any member)\n" +
            "  -cluster-move-max-keys-per-sec int\n" +
            "    \tkeys a second this node may move to other members (0 = no cap) (default 0)\n" +
            "  -cluster-move-min-client-percent int\n" +
            "    \tshare of its clients' command rate a node keeps while it moves slots, slowing the move below it (0 = full speed) (default 60)\n" +
            "  -cluster-secret string\n" +
            "    \tshared secret for membership calls\n" +
            "  -dir string\n" +
            "    \tdata directory (default \"data/<node>-<port>\")\n" +
            "  -hz int\n" +
            "    \tactive expiry cycles per second (default 10)\n" +
            "  -io-threads int\n" +
            "    \tevent loops serving the cache port with --transport epoll (0 = one per core) (default 0)\n" +
            "  -lfu-decay-time int\n" +
            "    \tminutes per step an idle key's LFU counter decays (0 = never) (default 1)\n" +
            "  -lfu-log-factor int\n" +
            "    \thow slowly the LFU access counter climbs (default 10)\n" +
            "  -maxclients int\n" +
            "    \tclients served at once (lowered at start-up to what the open-files limit holds) (default 10000)\n" +
            "  -maxmemory string\n" +
            "    \tbytes the keyspace may hold, such as 100mb or 2gb (0 = no limit) (default \"0\")\n" +
            "  -maxmemory-policy string\n" +
            "    \twhat to evict at maxmemory: noeviction, allkeys-lru|lfu|random or volatile-lru|lfu|random|ttl (default \"noeviction\")\n" +
            "  -maxmemory-samples int\n" +
            "    \tkeys sampled per eviction round (at least 1) (default 5)\n" +
            "  -node string\n" +
            "    \tnode address (default \"127.0.0.1\")\n" +
            "  -node-timeout int\n" +
            "    \tmilliseconds before an unreachable member is marked failed (default 5000)\n" +
            "  -port int\n" +
            "    \tcache port (default 9004)\n" +
            "  -protected-mode string\n" +
            "    \twithout a password, refuse clients that are not on this machine (default \"yes\")\n" +
            "  -proto-max-bulk-len string\n" +
            "    \tlargest bulk string a client may send (default \"512mb\")\n" +
            "  -requirepass string\n" +
            "    \tpassword of the default user, asked by AUTH and the admin API\n" +
            "  -tcp-keepalive int\n" +
            "    \tseconds of silence before TCP keepalive probes a client (0 = off) (default 300)\n" +
            "  -timeout int\n" +
            "    \tseconds an idle client stays connected (0 = no limit) (default 0)\n" +
            "  -tls-admin string\n" +
            "    \tserve the admin port over HTTPS, with the tls-cert-file certificate (default \"no\")\n" +
            "  -tls-auth-clients string\n" +
            "    \tclient certificates on TLS ports: yes (required), optional (checked if sent) or no, checked against tls-ca-cert-file (default \"yes\")\n" +
            "  -tls-ca-cert-file string\n" +
            "    \tPEM file of the CA certificates that client and peer certificates must chain to\n" +
            "  -tls-cert-file string\n" +
            "    \tPEM certificate of this node (with any intermediates after it), for TLS ports and peer calls\n" +
            "  -tls-cluster string\n" +
            "    \tnode-to-node traffic over TLS: membership calls over HTTPS, slot moves to peers' tls-port (default \"no\")\n" +
            "  -tls-key-file string\n" +
            "    \tPEM private key of tls-cert-file\n" +
            "  -tls-port int\n" +
            "    \tTLS cache port (0 = none); with it, --port 0 turns the plain port off\n" +
            "  -transport string\n" +
            "    \thow the cache port is served: epoll (the node's own event loops, Linux) or sockets (Kestrel's, the default elsewhere) (default \"epoll\")\n" +
            "\n",
            usage);
        Assert.Contains("PEPPER_PORT", usage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--PepperCache:Hz=20", "--PepperCache:Hz=20")]
    [InlineData("--environment=Development", "--environment=Development")]
    [InlineData("--contentRoot=/tmp", "--contentRoot=/tmp")]
    [InlineData("--Serilog:MinimumLevel:Default=Warning", "--Serilog:MinimumLevel:Default=Warning")]
    public void ConfigurationKeysAndHostSettingsPassThroughToTheHost(string argument, string expected)
    {
        var (arguments, _, stderr) = Parse(argument);

        Assert.Null(arguments.ExitCode);
        Assert.Equal([expected], arguments.HostArguments);
        Assert.Empty(arguments.Settings);
        Assert.Empty(stderr);
    }

    [Fact]
    public void HostSettingWithSeparateValueIsJoined()
    {
        var (arguments, _, _) = Parse("--environment", "Production");

        Assert.Equal(["--environment=Production"], arguments.HostArguments);
    }

    [Fact]
    public void SecurityFlagsAndVariablesSetTheirKeysAndProtectedModeIsYesOrNo()
    {
        var (flags, _, _) = Parse("--requirepass", "two words", "--protected-mode", "NO", "--aclfile", "/etc/users.acl");
        var (variables, _, _) = ParseWith(new Hashtable { ["PEPPER_REQUIREPASS"] = "from-env", ["PEPPER_PROTECTED_MODE"] = "yes", ["PEPPER_ACLFILE"] = "users.acl" });
        var (bad, _, stderr) = Parse("--protected-mode", "maybe");

        Assert.Equal(("two words", "no", "/etc/users.acl"), (flags.Settings["PepperCache:RequirePass"], flags.Settings["PepperCache:ProtectedMode"], flags.Settings["PepperCache:AclFile"]));
        Assert.Equal(("from-env", "yes", "users.acl"), (variables.Settings["PepperCache:RequirePass"], variables.Settings["PepperCache:ProtectedMode"], variables.Settings["PepperCache:AclFile"]));
        Assert.Equal(2, bad.ExitCode);
        Assert.Equal("error: invalid value \"maybe\" for flag -protected-mode: must be yes or no (see --help)" + Environment.NewLine, stderr);
        var defaults = new PepperCacheOptions();
        Assert.Equal(("", "yes", ""), (defaults.RequirePass, defaults.ProtectedMode, defaults.AclFile));
    }

    private static (ServerArguments Arguments, string Stdout, string Stderr) Parse(params string[] args) => ParseWith(NoEnvironment, args);

    private static (ServerArguments Arguments, string Stdout, string Stderr) ParseWith(IDictionary environment, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var arguments = ServerArguments.Parse(args, environment, stdout, stderr);
        return (arguments, stdout.ToString(), stderr.ToString());
    }
}
