using System.Runtime.InteropServices;

namespace AzFuse.IO;

/// <summary>
/// The file-system calls the library needs that .NET does not expose: hard links, fsync of a
/// folder (here), lstat and fstat (<c>NativeFiles.Status.cs</c>), lock files opened without
/// following links and removed by their holder (<c>NativeFiles.Locking.cs</c>).
/// </summary>
internal static partial class NativeFiles
{
    private const int ORdonly = 0;

    /// <summary>
    /// Makes <paramref name="newPath"/> a second name of <paramref name="existingPath"/>'s content.
    /// A batch upload snapshots files this way: instant, no copy, and a later write that renames
    /// new content over the original name leaves the snapshot untouched.
    /// </summary>
    /// <returns><see langword="false"/> when links are unsupported here (another OS, another file system); the caller copies instead.</returns>
    /// <exception cref="FileNotFoundException"><paramref name="existingPath"/> does not exist.</exception>
    public static bool TryHardLink(string existingPath, string newPath)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return false;
        }

        if (Link(existingPath, newPath) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == ENOENT ? throw new FileNotFoundException($"'{existingPath}' does not exist.", existingPath) : false;
    }

    /// <summary>
    /// Makes a rename or a new file in <paramref name="folder"/> durable: on Linux a renamed file's
    /// new name only survives a power loss once its folder has been fsync'd.
    /// </summary>
    public static void FlushFolder(string folder)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = Open(folder, ORdonly | ODirectory);
        if (fd < 0)
        {
            return;
        }

        try
        {
            _ = Fsync(fd);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Flushes every file of the file system that holds <paramref name="folder"/> (<c>syncfs</c>):
    /// one call that makes all the unflushed cache fills of a process durable at once.
    /// </summary>
    /// <returns><see langword="false"/> where there is no such call (not Linux) or it failed.</returns>
    public static bool TrySyncFileSystem(string folder)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var fd = Open(folder, ORdonly | ODirectory);
        if (fd < 0)
        {
            return false;
        }

        try
        {
            return SyncFs(fd) == 0;
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(int fd);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string oldPath, string newPath);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
