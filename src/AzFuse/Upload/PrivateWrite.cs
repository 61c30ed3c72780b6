using AzFuse.Diagnostics;
using AzFuse.IO;
using Microsoft.Extensions.Logging;

namespace AzFuse.Upload;

/// <summary>Starts a write in its private file: empty, or a copy of the content it builds on.</summary>
internal static class PrivateWrite
{
    /// <summary>
    /// Creates <paramref name="target"/>'s private file (a copy of <paramref name="startFrom"/> when
    /// given) and opens it with <see cref="File.Open(string, FileMode, FileAccess)"/>'s mode semantics.
    /// </summary>
    /// <param name="target">Where the file goes when the write ends.</param>
    /// <param name="startFrom">The content the write builds on (Append, OpenOrCreate, Open with write access), or <see langword="null"/>.</param>
    /// <param name="mode">The mode the caller opened with.</param>
    /// <param name="access">The access the caller asked for.</param>
    /// <param name="requireCommit">Whether Dispose without Commit discards.</param>
    /// <param name="async">Whether the stream is used asynchronously.</param>
    /// <param name="logger">Where the stream logs a discarded or unchanged write.</param>
    public static AzFuseWriteStream Open(IWriteTarget target, string? startFrom, FileMode mode, FileAccess access, bool requireCommit, bool async, ILogger logger)
    {
        FileStream? original = null;
        try
        {
            original = CopyOriginal(target, startFrom);
            var privateMode = mode switch
            {
                FileMode.Append => FileMode.Append,
                FileMode.Open or FileMode.OpenOrCreate => FileMode.OpenOrCreate,
                _ => target.TempPathExists ? FileMode.Truncate : FileMode.CreateNew,
            };
            // Unbuffered in shared memory: when it fills up, what is in the file is exactly what was
            // written, so the write can move to disk without losing buffered bytes (MoveToDisk).
            var stream = new FileStream(target.TempPath, privateMode, access, FileShare.None, target.InSharedMemory ? 0 : 4096, async ? FileOptions.Asynchronous : FileOptions.None);
            return new AzFuseWriteStream(stream, target, original, requireCommit, logger);
        }
        catch (Exception ex) when (Dropped(original, target) && DiskSpace.IsFull(ex))
        {
            throw Errors.DiskFull(target.Folder, target.LogicalPath, neededBytes: original?.Length, ex);
        }
    }

    /// <summary>
    /// Creates <paramref name="target"/>'s private file as a copy of <paramref name="startFrom"/>, and
    /// returns a handle on the original, to be kept open until the write ends: it tells at the end
    /// whether anything changed. (Cache files are replaced by renames, never changed in place, so
    /// the handle keeps these bytes whatever happens at the path.) <see langword="null"/> without one.
    /// </summary>
    public static FileStream? CopyOriginal(IWriteTarget target, string? startFrom)
    {
        if (startFrom is null)
        {
            return null;
        }

        var original = new FileStream(startFrom, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        try
        {
            using var copy = new FileStream(target.TempPath, target.TempPathExists ? FileMode.Truncate : FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
            original.CopyTo(copy);
            return original;
        }
        catch
        {
            original.Dispose();
            throw;
        }
    }

    /// <summary>Drops the write (an exception filter, so that other exceptions keep their stack).</summary>
    private static bool Dropped(FileStream? original, IWriteTarget target)
    {
        original?.Dispose();
        target.Discard();
        return true;
    }
}
