using AzFuse.Diagnostics;
using AzFuse.IO;
using AzFuse.Upload;
using Microsoft.Extensions.Logging;

namespace AzFuse;

/// <summary>
/// A real local path for a logical file, for code that cannot take a <see cref="Stream"/>: SQLite,
/// memory-mapped files, native libraries, child processes. Returned by
/// <see cref="AzFuseClient.GetLocalFile"/>; dispose it when done with the path.
/// </summary>
/// <remarks>
/// <para>
/// <b>Reading</b> (<see cref="FileAccess.Read"/>): <see cref="Path"/> is the cache file, downloaded
/// first if needed. While the lease is held the file is never evicted (the lease keeps it open, as
/// an open stream does), and a newer version that replaces it (a revalidation) leaves the bytes a
/// program already opened as they were. Do not change the file: it is the cache's copy (open SQLite
/// with <c>Mode=ReadOnly</c>).
/// </para>
/// <para>
/// <b>Writing</b> (<see cref="FileAccess.Write"/>, or <see cref="FileAccess.ReadWrite"/> to start from
/// the current content): <see cref="Path"/> is a private file that no reader sees, alone in a private
/// folder (a program may add its own files beside it, such as SQLite's journal; they are removed with
/// it). <see cref="Commit"/> (or a committing Dispose) puts it in place and uploads it exactly as a
/// written stream is: recorded in the journal first, queued in an
/// <see cref="AzFuseClient.AsyncUpload(bool, bool)"/> scope, staged in shared memory with
/// <c>shmAsTmp</c>. Close every handle on the file (and clear pooled connections) before committing.
/// Content equal to what the lease started from is not uploaded; a path that was never created
/// uploads nothing. <see cref="OpenOptions.RequireCommit"/> makes a Dispose without Commit discard.
/// </para>
/// </remarks>
public sealed class AzFuseLocalFile : IDisposable, IAsyncDisposable
{
    private readonly FileStream? _held;
    private readonly IWriteTarget? _target;
    private readonly FileStream? _original;
    private readonly bool _requireCommit;
    private readonly ILogger _logger;
    private bool _ended;

    private AzFuseLocalFile(string logicalPath, string path, FileAccess access, FileStream? held, IWriteTarget? target, FileStream? original, bool requireCommit, ILogger logger)
    {
        LogicalPath = logicalPath;
        Path = path;
        Access = access;
        _held = held;
        _target = target;
        _original = original;
        _requireCommit = requireCommit;
        _logger = logger;
    }

    /// <summary>The logical path the lease is for, as the caller wrote it.</summary>
    public string LogicalPath { get; }

    /// <summary>The full local path to hand to a program: the cache file (reading), or the private file to write.</summary>
    public string Path { get; }

    /// <summary>How the lease was taken: <see cref="FileAccess.Read"/>, or a write.</summary>
    public FileAccess Access { get; }

    /// <summary>
    /// Ends the lease. For a write, puts the file in place and uploads it (or queues it, in an
    /// <see cref="AzFuseClient.AsyncUpload(bool, bool)"/> scope) before returning; for a read,
    /// releases the file. Does nothing when already ended.
    /// </summary>
    /// <exception cref="IOException">The path was replaced by something that is not a regular file (a link, a folder): nothing is uploaded.</exception>
    /// <exception cref="AzFuseTransferException">The upload failed; the content and its pending-upload record are kept for <see cref="AzFuseClient.ResumePendingUploads"/>.</exception>
    public void Commit() => EndAsync(commit: true, async: false, CancellationToken.None).EnsureCompleted();

    /// <inheritdoc cref="Commit"/>
    /// <param name="cancellationToken">Cancels waiting for another process that holds the file's lock; once the write is recorded, its upload goes on.</param>
    public Task CommitAsync(CancellationToken cancellationToken = default) => EndAsync(commit: true, async: true, cancellationToken).AsTask();

    /// <summary>
    /// Ends the lease without uploading: a write's file is dropped (the cached copy and the blob stay
    /// as they were); a read's file is released. Does nothing when already ended.
    /// </summary>
    public void Discard() => EndAsync(commit: false, async: false, CancellationToken.None).EnsureCompleted();

    /// <summary>Ends the lease: commits a write (see <see cref="Commit"/>) unless <see cref="OpenOptions.RequireCommit"/> was set, which discards it; releases a read.</summary>
    /// <exception cref="AzFuseTransferException">A synchronous upload failed; the content and its record are kept for ResumePendingUploads.</exception>
    public void Dispose() => EndAsync(commit: !_requireCommit, async: false, CancellationToken.None).EnsureCompleted();

    /// <inheritdoc cref="Dispose"/>
    /// <returns>A task that completes when the lease has ended.</returns>
    public ValueTask DisposeAsync() => EndAsync(commit: !_requireCommit, async: true, CancellationToken.None);

    /// <summary>A read lease on the open cache file <paramref name="held"/>.</summary>
    internal static AzFuseLocalFile ForRead(string logicalPath, FileStream held, ILogger logger) =>
        new(logicalPath, held.Name, FileAccess.Read, held, target: null, original: null, requireCommit: false, logger);

    /// <summary>A write lease on <paramref name="target"/>'s private file, a copy of <paramref name="startFrom"/> when given.</summary>
    internal static AzFuseLocalFile ForWrite(string logicalPath, FileAccess access, IWriteTarget target, string? startFrom, bool requireCommit, ILogger logger)
    {
        FileStream? original;
        try
        {
            original = PrivateWrite.CopyOriginal(target, startFrom);
        }
        catch (Exception ex)
        {
            target.Discard();
            throw DiskSpace.IsFull(ex) ? Errors.DiskFull(target.Folder, logicalPath, startFrom is null ? null : new FileInfo(startFrom).Length, ex) : ex;
        }

        return new(logicalPath, target.TempPath, access, held: null, target, original, requireCommit, logger);
    }

    private async ValueTask EndAsync(bool commit, bool async, CancellationToken cancellationToken)
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        if (_target is null)
        {
            if (_held is not null)
            {
                await _held.DisposeAsync().ConfigureAwait(false);
            }

            return;
        }

        try
        {
            if (!commit)
            {
                _target.Discard();
                Log.WriteDiscarded(_logger, LogicalPath);
                return;
            }

            if (await UnchangedAsync(async, cancellationToken).ConfigureAwait(false))
            {
                _target.Discard();
                Log.WriteUnchanged(_logger, LogicalPath);
                return;
            }
        }
        finally
        {
            _original?.Dispose();
        }

        await _target.CommitAsync(async, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether there is nothing to upload: no file was written, or the same bytes the lease started from.</summary>
    private async ValueTask<bool> UnchangedAsync(bool async, CancellationToken cancellationToken)
    {
        switch (NativeFiles.StatusOf(Path)?.Kind)
        {
            case null:
                return true; // never created (or removed): nothing was written
            case not FileKind.File:
                // A link would upload (and cache) whatever it points at, outside the write's own folder.
                _target!.Discard();
                throw Errors.LocalFileNotRegular(LogicalPath, Path);
        }

        return _original is not null && await ContentComparison.SameAsync(_original, Path, async, cancellationToken).ConfigureAwait(false);
    }
}
