using System.Reflection;

namespace PepperCache.Server.Tests.Packaging;

/// <summary>Where the repository and the build under test are, for tests that run its files (Dockerfile, scripts, dotnet pack).</summary>
internal static class RepositoryPaths
{
    /// <summary>The directory holding PepperCache.sln, found above the test's output directory.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The configuration the server under test was built in (Release under test.sh): what <c>dotnet pack --no-build</c> must use.</summary>
    public static string Configuration { get; } =
        typeof(Program).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PepperCache.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("PepperCache.sln not found above " + AppContext.BaseDirectory);
    }
}
