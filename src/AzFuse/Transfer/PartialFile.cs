using AzFuse.Diagnostics;
using AzFuse.IO;
using AzFuse.Remote;

namespace AzFuse.Transfer;

/// <summary>
/// The file a download writes before it is renamed into place, at the blob's full length from the
/// start and written at any offset. A full disk is a <see cref="DiskFullException"/> naming the
/// folder and the bytes still needed, never a transient failure (see <see cref="VerifiedFile"/>).
/// </summary>
/// <remarks>
/// It has its full length before a byte arrives (a sparse file: nothing is allocated) because a
/// bounded cache counts the fills in flight in every process by their files' lengths (CacheSpace).
/// </remarks>
internal sealed class PartialFile : IDisposable
{
    private readonly FileStream _file;
    private readonly BlobLocation _blob;
    private long _written;

    private PartialFile(FileStream file, BlobLocation blob)
    {
        _file = file;
        _blob = blob;
    }

    public string Path => _file.Name;

    public long Length => _file.Length;

    /// <summary>
    /// A new file of <paramref name="length"/> bytes at <paramref name="path"/>. Whatever was at the
    /// name (a killed fill's leftover, or a link someone put there) is replaced, never written through.
    /// </summary>
    /// <param name="path">The partial file's name.</param>
    /// <param name="blob">The blob, for messages.</param>
    /// <param name="length">The blob's length.</param>
    /// <param name="async">Whether writes are asynchronous.</param>
    /// <param name="takeSpare">Gives an empty file made ahead on the same file system (<c>SpareFiles</c>), or <see langword="null"/>: renamed to <paramref name="path"/> instead of creating a file.</param>
    public static PartialFile Create(string path, BlobLocation blob, long length, bool async, Func<string?>? takeSpare = null)
    {
        var file = (takeSpare?.Invoke() is { } spare ? Adopt(spare, path, async) : null) ?? CreateReplacing(path, async);
        try
        {
            file.SetLength(length);
        }
        catch (IOException ex) when (DiskSpace.IsFull(ex))
        {
            file.Dispose();
            throw Errors.DiskFull(System.IO.Path.GetDirectoryName(path)!, blob.DisplayName, length, ex);
        }

        return new PartialFile(file, blob);
    }

    private static FileStream CreateReplacing(string path, bool async)
    {
        try
        {
            return CreateNew(path, async);
        }
        catch (IOException) when (NativeFiles.StatusOf(path) is not null)
        {
            // Removed only when something is there: an unlink of a name that is not (the usual
            // case, a new name in a new staging folder) cost two system calls on every fill.
            File.Delete(path);
            return CreateNew(path, async);
        }
    }

    /// <summary>
    /// <paramref name="spare"/> renamed to <paramref name="path"/> and open, or <see langword="null"/>
    /// (it is gone then) when it cannot be used: the caller creates the file instead.
    /// </summary>
    /// <remarks>
    /// Creating a file allocates an inode, which after many deletions costs ext4 without a journal up
    /// to a millisecond (see <c>SpareFiles</c>); a rename allocates none. The spare is opened before it
    /// is renamed, so the handle is the spare whatever the name holds afterwards; the rename replaces
    /// whatever was at the name (a link itself, never its target). It is used only if the name then
    /// holds the very file opened: not if something took the name, nor if the move copied (across
    /// file systems .NET falls back to a copy, which would leave the handle on a deleted file; here
    /// that copy fails, the spare being open exclusively, and the fill creates its own file).
    /// </remarks>
    private static FileStream? Adopt(string spare, string path, bool async)
    {
        if (!NativeFiles.HasIdentity)
        {
            TryDelete(spare);
            return null;
        }

        FileStream file;
        try
        {
            file = new FileStream(spare, FileMode.Open, FileAccess.ReadWrite, FileShare.None, bufferSize: 0, async ? FileOptions.Asynchronous : FileOptions.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(spare);
            return null;
        }

        try
        {
            File.Move(spare, path, overwrite: true);
            if (file.Length == 0 && NativeFiles.StatusOf(path) is { Kind: FileKind.File } there && there.IsSameFile(NativeFiles.StatusOf(file.SafeFileHandle)))
            {
                return file;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(spare);
        }

        file.Dispose();
        return null;
    }

    // A spare that cannot be deleted stays in this process's writing folder, which goes at exit.
    private static void TryDelete(string spare) => FileCleanup.DeleteQuietly(spare);

    private static FileStream CreateNew(string path, bool async) =>
        new(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 0, async ? FileOptions.Asynchronous : FileOptions.None);

    /// <summary>
    /// The file a killed download left at <paramref name="path"/>, to be completed: only a regular
    /// file (a link at the name is never written through) of exactly <paramref name="length"/> bytes.
    /// </summary>
    /// <returns>The open file, or <see langword="null"/> when there is none to resume.</returns>
    public static PartialFile? OpenExisting(string path, BlobLocation blob, long length, bool async)
    {
        if (NativeFiles.StatusOf(path) is not { Kind: FileKind.File })
        {
            return null;
        }

        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, bufferSize: 0, async ? FileOptions.Asynchronous : FileOptions.None);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException)
        {
            return null;
        }

        // The name may have been swapped for a link between the look and the open: then what was
        // opened is not the file at the name, and it is left alone.
        if (file.Length != length || (NativeFiles.HasIdentity && !(NativeFiles.StatusOf(path) is { Kind: FileKind.File } now && now.IsSameFile(NativeFiles.StatusOf(file.SafeFileHandle)))))
        {
            file.Dispose();
            return null;
        }

        return new PartialFile(file, blob);
    }

    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/>; safe to call from several threads at once.</summary>
    public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, bool async, CancellationToken cancellationToken)
    {
        try
        {
            if (async)
            {
                await RandomAccess.WriteAsync(_file.SafeFileHandle, data, offset, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                RandomAccess.Write(_file.SafeFileHandle, data.Span, offset);
            }
        }
        catch (IOException ex) when (DiskSpace.IsFull(ex))
        {
            throw DiskFull(ex);
        }

        Interlocked.Add(ref _written, data.Length);
    }

    /// <summary>Reads what was written at <paramref name="offset"/> (to verify it).</summary>
    public async ValueTask<int> ReadAsync(long offset, Memory<byte> into, bool async, CancellationToken cancellationToken) =>
        async
            ? await RandomAccess.ReadAsync(_file.SafeFileHandle, into, offset, cancellationToken).ConfigureAwait(false)
            : RandomAccess.Read(_file.SafeFileHandle, into.Span, offset);

    /// <summary>
    /// Hands what was written to the operating system. Not to the disk: whether a fill is fsync'd
    /// before its rename is <c>UnsyncedFills</c>' call, made by the filler.
    /// </summary>
    public void Flush()
    {
        try
        {
            _file.Flush();
        }
        catch (IOException ex) when (DiskSpace.IsFull(ex))
        {
            throw DiskFull(ex);
        }
    }

    private IOException DiskFull(IOException ex) =>
        Errors.DiskFull(System.IO.Path.GetDirectoryName(_file.Name)!, _blob.DisplayName, Length - Volatile.Read(ref _written), ex);

    public void Dispose() => _file.Dispose();
}
