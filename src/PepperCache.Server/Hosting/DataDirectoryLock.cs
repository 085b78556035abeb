using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Options;

namespace PepperCache.Server.Hosting;

/// <summary>
/// A data directory another process holds. A start-up failure reported in one line that names the holder, e.g.
/// <c>the data directory /data is in use by another node (pid 4242, node 127.0.0.1:9004, admin port 18088)</c>.
/// </summary>
internal sealed class DataDirectoryInUseException(string message) : Exception(message);

/// <summary>
/// The node's claim on its data directory: <c>node.lock</c> in it, held open for the life of the process with an
/// exclusive lock (a <see cref="FileStream"/> with <see cref="FileShare.None"/>, which is <c>flock(LOCK_EX)</c> on
/// Linux), and holding one line that names the holder (pid, node address and ports).
/// </summary>
/// <remarks>
/// Two nodes on one <c>--dir</c> would both append to one appendonly.aof and rewrite each other's nodes.json. The
/// lock is taken after the ports are bound (a node that cannot bind touches no data, see <see cref="NodeEndpoints"/>)
/// and before anything in the directory is read or written: <see cref="Acquire"/> binds first, and both readers of
/// the directory (<c>ClusterState</c> for nodes.json, <c>AofService</c> for the append-only file) call it first.
/// The OS drops the lock when the process ends, however it ends (kill -9 too), so a stale file never blocks a
/// restart; the file itself stays, and its text is only read when the lock is refused.
/// </remarks>
public sealed class DataDirectoryLock : IDisposable
{
    public const string FileName = "node.lock";

    private readonly Lock _gate = new();
    private readonly NodeEndpoints _endpoints;
    private readonly PepperCacheOptions _options;
    private FileStream? _file;

    public DataDirectoryLock(NodeEndpoints endpoints, IOptions<PepperCacheOptions> options)
    {
        _endpoints = endpoints;
        _options = options.Value;
        // nodes.json lives in DataDirectory and appendonly.aof in AofDirectory, which is DataDirectory's full path
        // or, for a node on a random port without --dir, data/<node>-0 (kept only when the AOF is on).
        Directory = _options.DataDirectory is not null || _options.AppendOnlyEnabled ? _options.AofDirectory : null;
    }

    /// <summary>The directory this node locks; null when it keeps no files (a random port, no --dir, no AOF).</summary>
    public string? Directory { get; }

    /// <summary>Whether the lock is held.</summary>
    public bool IsHeld
    {
        get
        {
            lock (_gate)
            {
                return _file is not null;
            }
        }
    }

    /// <summary>Binds the ports, then locks the data directory (each once; later calls return at once).</summary>
    /// <exception cref="PortUnavailableException">A port is in use: the directory is not touched.</exception>
    /// <exception cref="DataDirectoryInUseException">Another process holds the directory.</exception>
    public void Acquire()
    {
        _endpoints.Bind();
        lock (_gate)
        {
            if (_file is not null || Directory is null)
            {
                return;
            }

            var resp = _endpoints.ClientEndPoint!;
            var admin = _endpoints.AdminEndPoint!;
            _file = Take(Directory, string.Create(CultureInfo.InvariantCulture,
                $"pid {Environment.ProcessId}, node {_options.Node}:{resp.Port}, admin port {admin.Port}"));
        }
    }

    /// <summary>
    /// Creates <paramref name="directory"/> if needed and locks it, writing <paramref name="holder"/> into the lock
    /// file; the lock lasts until the returned stream is disposed (or the process ends).
    /// </summary>
    /// <exception cref="DataDirectoryInUseException">Another process (or another node in this one) holds it.</exception>
    internal static FileStream Take(string directory, string holder)
    {
        System.IO.Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
        }
        catch (IOException ex) when (IsSharingViolation(ex))
        {
            var other = ReadHolder(path);
            throw new DataDirectoryInUseException(
                $"the data directory {directory} is in use by another node ({(other.Length > 0 ? other : "a process that did not say which")}): " +
                "give each node its own --dir");
        }

        try
        {
            var text = Encoding.UTF8.GetBytes(holder + "\n");
            file.SetLength(0);
            file.Write(text);
            file.Flush();
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _file?.Dispose();
            _file = null;
        }
    }

    // Unix: flock's EWOULDBLOCK, the errno as the HResult (11 on Linux, 35 on macOS); Windows: ERROR_SHARING_VIOLATION.
    private static bool IsSharingViolation(IOException ex) => ex.HResult is 11 or 35 || ex.HResult == unchecked((int)0x80070020);

    /// <summary>
    /// The holder's line, read past its lock: every <see cref="FileStream"/> open takes a flock (shared for reading),
    /// which the holder's exclusive one refuses, so the file is read through plain open(2)/read(2). Empty when
    /// unreadable (or on Windows, where the holder's share mode refuses any open).
    /// </summary>
    private static string ReadHolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return "";
        }

        var fd = NativeMethods.open(path, 0);
        if (fd < 0)
        {
            return "";
        }

        // Closes the descriptor.
        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
        var buffer = new byte[256];
        var length = NativeMethods.read(fd, buffer, buffer.Length);
        if (length <= 0)
        {
            return "";
        }

        var text = Encoding.UTF8.GetString(buffer, 0, (int)length);
        var end = text.IndexOfAny(['\r', '\n']);
        return (end >= 0 ? text[..end] : text).Trim();
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern nint read(int fd, byte[] buffer, nint count);
    }
}
