using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AzFuse.IO;

/// <summary>Opening and <c>flock</c>ing lock files on Linux, without following a link at the path.</summary>
internal static partial class NativeFiles
{
    private const int OCreat = 0x40;
    private const int OCloexec = 0x80000;
    private const int LockShared = 1;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int EWOULDBLOCK = 11;
    private const int ELOOP = 40;
    private const int EACCES = 13;

    /// <summary>O_NOFOLLOW, whose value differs between architectures (ARM and PowerPC use the older numbering).</summary>
    private static int ONoFollow => RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 or Architecture.Ppc64le ? 0x8000 : 0x20000;

    /// <summary>O_DIRECTORY, likewise per architecture.</summary>
    private static int ODirectory => RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 or Architecture.Ppc64le ? 0x4000 : 0x10000;

    /// <summary>Opens a lock file, creating it if needed, without following a link at the path. Linux only.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="IOException">The path is a symbolic link, or cannot be opened.</exception>
    /// <param name="path">The lock file.</param>
    /// <param name="readWrite">Open it for reading and writing (byte-range locks need a write lock's access), else read-only (for flock).</param>
    public static SafeFileHandle OpenLockFile(string path, bool readWrite = false)
    {
        var fd = OpenFile(path, (readWrite ? ORdWr : 0) | OCreat | OCloexec | ONoFollow, 0b110_110_110);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                ENOENT => new DirectoryNotFoundException($"Cannot create the lock file '{path}': its folder does not exist."),
                ELOOP => new IOException($"The lock file '{path}' is a symbolic link. AzFuse never follows links in its cache: remove it."),
                _ => new IOException($"Cannot open the lock file '{path}': {Marshal.GetPInvokeErrorMessage(errno)}.", errno),
            };
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Takes an exclusive <c>flock</c> on an open file without waiting.</summary>
    /// <returns><see langword="false"/> when another open file holds it.</returns>
    public static bool TryLockExclusive(SafeFileHandle handle)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (Flock((int)handle.DangerousGetHandle(), LockExclusive | LockNonBlocking) == 0)
            {
                return true;
            }

            var error = Marshal.GetLastPInvokeError();
            return error == EWOULDBLOCK
                ? false
                : throw new IOException($"Cannot lock an open lock file: {Marshal.GetPInvokeErrorMessage(error)}.", error);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Opens a cache file for reading as .NET's FileStream would (open, fstat, a shared flock; so
    /// eviction's exclusive probe still sees readers), except that a link at the path is not
    /// followed: the same three system calls as a plain open, and no race between a check and the
    /// open. Linux only (<see cref="HasIdentity"/>).
    /// </summary>
    /// <returns>
    /// The open file, or <see langword="null"/> when nothing is there, it is a link or a folder, or
    /// someone holds it exclusively (an eviction removing it this instant).
    /// </returns>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static SafeFileHandle? TryOpenRegularFile(string path)
    {
        var fd = OpenFile(path, OCloexec | ONoFollow, 0);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno switch
            {
                ENOENT or ENOTDIR or ELOOP => null,
                EACCES => throw new UnauthorizedAccessException($"Access to the path '{path}' is denied."),
                _ => throw new IOException($"Cannot open '{path}': {Marshal.GetPInvokeErrorMessage(errno)}.", errno),
            };
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (StatusOf(handle).Kind != FileKind.File || Flock(fd, LockShared | LockNonBlocking) != 0)
        {
            handle.Dispose();
            return null;
        }

        return handle;
    }

    /// <summary>Removes the name <paramref name="path"/> (a link itself, never its target); <see langword="false"/> when it was not there.</summary>
    public static bool Unlink(string path) => UnlinkPath(path) == 0;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenFile(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnlinkPath(string path);
}
