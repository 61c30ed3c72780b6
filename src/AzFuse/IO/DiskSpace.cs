namespace AzFuse.IO;

/// <summary>Telling a full disk from other I/O failures, and how much room is left.</summary>
internal static class DiskSpace
{
    private const int ENOSPC = 28;
    private const int EDQUOT = 122;
    private const int ErrorHandleDiskFull = unchecked((int)0x80070027);
    private const int ErrorDiskFull = unchecked((int)0x80070070);

    /// <summary>
    /// Whether <paramref name="ex"/> says the disk (or the user's quota) is full. .NET on Unix puts
    /// the errno in <see cref="Exception.HResult"/> of the IOException it throws (measured: 28 for
    /// ENOSPC from a write to a full tmpfs); on Windows it is ERROR_DISK_FULL or ERROR_HANDLE_DISK_FULL.
    /// </summary>
    public static bool IsFull(Exception ex) =>
        ex is IOException { HResult: ENOSPC or EDQUOT or ErrorHandleDiskFull or ErrorDiskFull } ||
        (ex is AggregateException or System.Reflection.TargetInvocationException && ex.InnerException is { } inner && IsFull(inner));

    /// <summary>The bytes free to this user on the file system of <paramref name="folder"/>, or <see langword="null"/> when that cannot be told.</summary>
    public static long? FreeBytes(string folder)
    {
        try
        {
            return new DriveInfo(folder).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// The size of the file system that holds <paramref name="folder"/> (or, while it does not exist
    /// yet, its nearest existing parent), or <see langword="null"/> when that cannot be told.
    /// </summary>
    public static long? TotalBytes(string folder)
    {
        for (var current = Path.GetFullPath(folder); !string.IsNullOrEmpty(current); current = Path.GetDirectoryName(current))
        {
            if (!Directory.Exists(current))
            {
                continue;
            }

            try
            {
                return new DriveInfo(current).TotalSize;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
            {
                return null;
            }
        }

        return null;
    }
}

/// <summary>
/// A full disk, raised as an <see cref="IOException"/> (the type callers catch) with the original
/// errno kept in <see cref="Exception.HResult"/>. Its own type only so that no transfer wraps it
/// into a transient failure and retries it: waiting does not free a disk.
/// </summary>
internal sealed class DiskFullException : IOException
{
    public DiskFullException(string message, Exception inner)
        : base(message, inner)
    {
        HResult = inner.HResult;
    }
}
