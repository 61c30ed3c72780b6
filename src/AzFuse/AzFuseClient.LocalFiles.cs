using AzFuse.Diagnostics;
using AzFuse.IO;
using AzFuse.Local;
using AzFuse.Upload;

namespace AzFuse;

/// <content>Real local paths: leases on cache files and private files to write, whether a file is cached, and uploads of local files.</content>
public sealed partial class AzFuseClient
{
    /// <summary>
    /// A real local path for a logical file, for code that needs one (SQLite, memory-mapped files,
    /// native libraries, child processes): the cache file to read, downloaded first if needed and
    /// kept from eviction until the lease is disposed; or, to write, a private file that the lease
    /// uploads as a written stream is when disposed or committed (see <see cref="AzFuseLocalFile"/>).
    /// Paths outside every mapping, and all paths when AzFuse is disabled, are local files: reading
    /// gives the path itself; writing gives a private file beside it, renamed over it when committed.
    /// </summary>
    /// <param name="path">A logical path such as <c>data/db.sqlite</c>.</param>
    /// <param name="access"><see cref="FileAccess.Read"/>; <see cref="FileAccess.Write"/> for a new file (the path does not exist until the caller creates it); <see cref="FileAccess.ReadWrite"/> for a copy of the current content (or nothing, when the file exists nowhere).</param>
    /// <param name="options">Per-call choices: <see cref="OpenOptions.Revalidate"/> (reading), <see cref="OpenOptions.RequireCommit"/> (writing).</param>
    /// <returns>The lease; dispose it when done with the path.</returns>
    /// <exception cref="FileNotFoundException">Reading a file that exists nowhere.</exception>
    /// <exception cref="AzFuseException">The download failed; the message says why.</exception>
    public AzFuseLocalFile GetLocalFile(string path, FileAccess access = FileAccess.Read, OpenOptions? options = null) =>
        GetLocalFileCoreAsync(path, access, options, async: false, CancellationToken.None).EnsureCompleted();

    /// <inheritdoc cref="GetLocalFile"/>
    /// <param name="path">A logical path such as <c>data/db.sqlite</c>.</param>
    /// <param name="access">Read, Write (a new file) or ReadWrite (a copy of the current content).</param>
    /// <param name="options">Per-call choices: <see cref="OpenOptions.Revalidate"/> (reading), <see cref="OpenOptions.RequireCommit"/> (writing).</param>
    /// <param name="cancellationToken">Cancels a download.</param>
    public ValueTask<AzFuseLocalFile> GetLocalFileAsync(string path, FileAccess access = FileAccess.Read, OpenOptions? options = null, CancellationToken cancellationToken = default) =>
        GetLocalFileCoreAsync(path, access, options, async: true, cancellationToken);

    /// <summary>
    /// Whether reading the file would need no download: a cached copy (or content written and not
    /// uploaded yet) is here. Makes no request and does not check freshness. Outside every mapping,
    /// and when AzFuse is disabled, whether the local file exists.
    /// </summary>
    /// <param name="path">A logical path.</param>
    /// <returns><see langword="true"/> when a local copy exists.</returns>
    public bool IsCached(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (string.IsNullOrWhiteSpace(path))
        {
            throw Errors.EmptyPath(nameof(path));
        }

        return _options.Enabled && _engine.Value.Resolver.Resolve(path) is { } resolved
            ? _engine.Value.Writer.LocalCopyOf(resolved) is not null
            : File.Exists(path);
    }

    /// <summary>
    /// Uploads a local file to a logical path (the Python tool's <c>File.upload</c>), overwriting the
    /// blob, through the write path: recorded before it is sent, kept in the cache as the file's
    /// copy, and, inside an <see cref="AsyncUpload(bool, bool)"/> scope, only queued (the Python tool's
    /// <c>send_to_async_upload</c>): the scope's end waits for it.
    /// </summary>
    /// <param name="localPath">The file to upload.</param>
    /// <param name="path">The logical path it becomes, such as <c>data/model.bin</c>.</param>
    /// <param name="deleteSource">Delete <paramref name="localPath"/> once its content is safely recorded for upload (a hard link, not a copy, where the cache is on the same disk): the cache (or the shared-memory staging) then holds the only local copy until it is uploaded.</param>
    /// <exception cref="FileNotFoundException"><paramref name="localPath"/> is not a file.</exception>
    /// <exception cref="AzFuseTransferException">The upload failed; the content is kept pending.</exception>
    public void Upload(string localPath, string path, bool deleteSource = false) =>
        UploadCoreAsync(localPath, path, deleteSource, async: false, CancellationToken.None).EnsureCompleted();

    /// <inheritdoc cref="Upload"/>
    /// <param name="localPath">The file to upload.</param>
    /// <param name="path">The logical path it becomes.</param>
    /// <param name="deleteSource">Delete <paramref name="localPath"/> once its content is safely recorded for upload.</param>
    /// <param name="cancellationToken">Cancels the copy; once the write is recorded, its upload goes on.</param>
    public Task UploadAsync(string localPath, string path, bool deleteSource = false, CancellationToken cancellationToken = default) =>
        UploadCoreAsync(localPath, path, deleteSource, async: true, cancellationToken).AsTask();

    private async ValueTask<AzFuseLocalFile> GetLocalFileCoreAsync(string path, FileAccess access, OpenOptions? options, bool async, CancellationToken cancellationToken)
    {
        if (access == FileAccess.Read)
        {
            var stream = await OpenCoreAsync(path, FileMode.Open, FileAccess.Read, options?.Revalidate ?? false, requireCommit: null, async, cancellationToken).ConfigureAwait(false);
            return AzFuseLocalFile.ForRead(path, (FileStream)stream, _logger);
        }

        var mode = access == FileAccess.Write ? FileMode.Create : FileMode.OpenOrCreate;
        var (target, startFrom) = await BeginWriteAsync(path, mode, ownFolder: true, async, cancellationToken).ConfigureAwait(false);
        return AzFuseLocalFile.ForWrite(path, access, target, startFrom, options?.RequireCommit ?? _options.RequireCommit, _logger);
    }

    private async ValueTask UploadCoreAsync(string localPath, string path, bool deleteSource, bool async, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(localPath);
        if (!File.Exists(localPath))
        {
            throw Errors.UploadSourceMissing(localPath);
        }

        var (target, _) = await BeginWriteAsync(path, FileMode.Create, ownFolder: false, async, cancellationToken).ConfigureAwait(false);
        try
        {
            // A file about to be deleted cannot change under its link: no copy needed. A kept one
            // could (the caller may rewrite it in place), so the write gets bytes of its own.
            // (Only a regular file: link() would link a symbolic link itself, not what it names.)
            if (!(deleteSource && NativeFiles.StatusOf(localPath) is { Kind: FileKind.File } && NativeFiles.TryHardLink(localPath, target.TempPath)))
            {
                await CopyAsync(localPath, target.TempPath, async, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            target.Discard();
            throw DiskSpace.IsFull(ex) ? Errors.DiskFull(target.Folder, path, new FileInfo(localPath).Length, ex) : ex;
        }

        // Recorded (and, outside a scope, uploaded) before this returns; the source goes only then.
        await target.CommitAsync(async, cancellationToken).ConfigureAwait(false);
        if (deleteSource)
        {
            File.Delete(localPath);
        }
    }

    /// <summary>Starts a write whose private file the caller fills: of a mapped path through the cache, else of the local file.</summary>
    private async ValueTask<(IWriteTarget Target, string? StartFrom)> BeginWriteAsync(string path, FileMode mode, bool ownFolder, bool async, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (string.IsNullOrWhiteSpace(path))
        {
            throw Errors.EmptyPath(nameof(path));
        }

        if (!_options.Enabled || _engine.Value.Resolver.Resolve(path) is not { } resolved)
        {
            return LocalWrite.Begin(path, mode);
        }

        if (resolved.CachePath == resolved.CacheRoot || Directory.Exists(resolved.CachePath))
        {
            throw Errors.NotAFile(path, resolved.CachePath);
        }

        var policy = _scope.Value is { IsEnabled: true } scope ? new WritePolicy(scope, scope.UsesSharedMemory) : default;
        return await _engine.Value.Writer.BeginAsync(resolved, mode, policy, ownFolder, async, cancellationToken).ConfigureAwait(false);
    }

    private static async ValueTask CopyAsync(string source, string destination, bool async, CancellationToken cancellationToken)
    {
        using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, async ? FileOptions.Asynchronous | FileOptions.SequentialScan : FileOptions.SequentialScan);
        using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, async ? FileOptions.Asynchronous : FileOptions.None);
        if (async)
        {
            await input.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            input.CopyTo(output);
        }
    }
}
