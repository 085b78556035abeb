using System.Runtime.InteropServices;

namespace PepperCache.Server.Persistence;

/// <summary>
/// The log's file operations, in one replaceable place: tests substitute a subclass that fails writes on demand
/// (a full disk without filling one).
/// </summary>
internal class AofStorage
{
    private const int ORdOnly = 0;
    private const int ODirectory = 0x10000;

    /// <summary>Opens (creating if needed) a file for writing at its end and reading back (rewrite catch-up).</summary>
    public virtual Stream OpenAppend(string path)
    {
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        stream.Seek(0, SeekOrigin.End);
        return stream;
    }

    /// <summary>Creates a fresh file for a rewrite.</summary>
    public virtual Stream Create(string path) =>
        new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);

    /// <summary>Forces the stream's data to the disk (fsync).</summary>
    public virtual void Sync(Stream stream)
    {
        if (stream is FileStream file)
        {
            file.Flush(flushToDisk: true);
        }
        else
        {
            stream.Flush();
        }
    }

    /// <summary>
    /// fsync on the directory, so a rename (or a file's creation) inside it survives a power cut. .NET has no API
    /// for it (a directory cannot be opened as a FileStream), hence libc; a failure is not fatal, only less durable.
    /// </summary>
    public virtual void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = NativeMethods.open(directory, ORdOnly | ODirectory);
        if (fd < 0)
        {
            return;
        }

        _ = NativeMethods.fsync(fd);
        _ = NativeMethods.close(fd);
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int fsync(int fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int fd);
    }
}
