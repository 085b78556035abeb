using System.Text.RegularExpressions;
using PepperCache.Server.Hosting;

namespace PepperCache.Server.Tests.Packaging;

/// <summary>
/// The PEPPER_* settings deploy/ gives a node (Dockerfile ENV, compose.yaml, the StatefulSet) are flags the server
/// knows, with values it accepts. A misspelt variable would otherwise be ignored without a word: the server reads only
/// the PEPPER_* names of its flags.
/// </summary>
public sealed partial class DeploySettingsTests
{
    private static readonly string Deploy = Path.Combine(RepositoryPaths.Root, "deploy");

    public static TheoryData<string> Files => new() { "Dockerfile", "compose.yaml", "k8s/statefulset.yaml" };

    [Theory]
    [MemberData(nameof(Files))]
    public void EveryPepperSettingIsAFlagWithAValueTheServerAccepts(string file)
    {
        var text = File.ReadAllText(Path.Combine(Deploy, file));
        var settings = SettingPattern().Matches(text)
            .Select(m => (Name: m.Groups["name"].Value, Value: m.Groups["value"].Value.Trim('"')))
            // As Kubernetes and compose would substitute them.
            .Select(s => (s.Name, Value: s.Value.Replace("$(POD_NAME)", "peppercache-1", StringComparison.Ordinal)))
            .Select(s => (s.Name, Value: s.Value.StartsWith("${", StringComparison.Ordinal) ? "a-secret-value" : s.Value))
            .ToList();
        Assert.NotEmpty(settings);

        var known = ServerArguments.Flags.Select(f => "PEPPER_" + f.Name.ToUpperInvariant().Replace('-', '_')).ToHashSet();
        Assert.All(settings, s => Assert.Contains(s.Name, known));

        // compose.yaml names PEPPER_NODE once per service: each value is checked, one environment at a time.
        foreach (var node in settings.Where(s => s.Name == "PEPPER_NODE").DefaultIfEmpty())
        {
            var environment = settings.Where(s => s.Name != "PEPPER_NODE").Append(node).Where(s => s.Name is not null)
                .ToDictionary(s => s.Name, s => s.Value);
            AssertAccepted(file, environment);
        }
    }

    private static void AssertAccepted(string file, Dictionary<string, string> environment)
    {
        using var stderr = new StringWriter();
        var parsed = ServerArguments.Parse([], environment, TextWriter.Null, stderr);
        Assert.True(parsed.ExitCode is null, $"{file}: {stderr}");
    }

    [Fact]
    public void TheStatefulSetsPodsAdvertiseTheirDnsNamesAndJoinThroughPodZero()
    {
        var text = File.ReadAllText(Path.Combine(Deploy, "k8s", "statefulset.yaml"));
        var environment = SettingPattern().Matches(text).ToDictionary(
            m => m.Groups["name"].Value, m => m.Groups["value"].Value.Trim('"').Replace("$(POD_NAME)", "peppercache-2", StringComparison.Ordinal));

        var parsed = ServerArguments.Parse([], environment, TextWriter.Null, TextWriter.Null);

        Assert.Equal("peppercache-2.peppercache", parsed.Settings["PepperCache:Node"]);
        Assert.Equal("peppercache-0.peppercache", parsed.Settings["PepperCache:Cluster"]);
        Assert.Contains("serviceName: peppercache\n", text, StringComparison.Ordinal);
    }

    // ENV PEPPER_X=v (Dockerfile), PEPPER_X: v (compose, also inside { ... }), or "- name: PEPPER_X" then "value: v" (Kubernetes).
    [GeneratedRegex(@"(?:ENV |^\s+|[{,] |- name: )(?<name>PEPPER_[A-Z_]+)(?:=|: |\s*\n\s*value: )(?<value>[^\s,}]+)", RegexOptions.Multiline)]
    private static partial Regex SettingPattern();
}
