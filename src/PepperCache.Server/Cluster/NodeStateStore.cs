using System.Text.Json;
using PepperCache.Server.Logging;

namespace PepperCache.Server.Cluster;

/// <summary>Reads and writes <c>nodes.json</c> in the data directory, as Redis keeps <c>nodes.conf</c>.</summary>
internal static class NodeStateStore
{
    public static NodeStateFile? Load(string? path, ILogger logger)
    {
        if (path is null || !File.Exists(path))
        {
            return null;
        }

        try
        {
            var state = JsonSerializer.Deserialize(File.ReadAllBytes(path), ClusterJsonContext.Default.NodeStateFile);
            if (state is null || state.Id.Length != 40 || !state.Id.All(char.IsAsciiHexDigitLower))
            {
                Log.StateFileUnreadable(logger, path, "no 40-hex node id");
                return null;
            }

            return state;
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            Log.StateFileUnreadable(logger, path, ex.Message);
            return null;
        }
    }

    /// <summary>Writes to a temporary file and renames it over the old one, so a crash leaves one or the other whole.</summary>
    public static void Save(string path, NodeStateFile state, ILogger logger)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var temporary = path + ".tmp";
            File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(state, ClusterJsonContext.Default.NodeStateFile));
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.StateFileUnwritable(logger, path, ex.Message);
        }
    }
}
