using PepperCache.Server.Tests.Packaging;

namespace PepperCache.Server.Tests.Ecosystem;

/// <summary>
/// deploy/k8s against the Kubernetes API's JSON schemas (test/node/validate-k8s.mjs, kubernetes-models), with no
/// cluster: `kubectl apply --dry-run=client` needs an API server to map kinds, which this machine does not have.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string K8s = Path.Combine(RepositoryPaths.Root, "deploy", "k8s");

    [Fact]
    public async Task TheManifestsAndTheSecretExampleMatchTheApiSchemas()
    {
        var files = Directory.GetFiles(K8s, "*.yaml").Order(StringComparer.Ordinal).Append(Path.Combine(K8s, "secret.yaml.example")).ToArray();

        var result = await NodeJs.RunAsync("validate-k8s.mjs", files);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            [
                "valid pdb.yaml policy/v1/PodDisruptionBudget peppercache",
                "valid service.yaml v1/Service peppercache",
                "valid service.yaml v1/Service peppercache-client",
                "valid statefulset.yaml apps/v1/StatefulSet peppercache",
                "valid secret.yaml.example v1/Secret peppercache",
            ],
            result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task AMistypedFieldIsCaught()
    {
        var bad = Path.Combine(Directory.CreateTempSubdirectory("peppercache-k8s-").FullName, "statefulset.yaml");
        try
        {
            var text = await File.ReadAllTextAsync(Path.Combine(K8s, "statefulset.yaml"), TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(bad, text.Replace("replicas: 3", "replicas: three", StringComparison.Ordinal), TestContext.Current.CancellationToken);

            var result = await NodeJs.RunAsync("validate-k8s.mjs", bad);

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("INVALID statefulset.yaml apps/v1/StatefulSet: data/spec/replicas must be integer", result.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(bad)!, recursive: true);
        }
    }
}
