using AzFuse.Cache;
using AzFuse.Diagnostics;
using AzFuse.IO;
using AzFuse.Paths;
using AzFuse.Remote;
using Microsoft.Extensions.Logging;

namespace AzFuse.Upload;

/// <summary>How the writes of the current scope are uploaded.</summary>
/// <param name="Scope">The innermost enabled AsyncUpload scope, or <see langword="null"/> to upload before Dispose returns.</param>
/// <param name="ShmAsTmp">Stage written files in shared memory until uploaded.</param>
internal readonly record struct WritePolicy(AsyncUploadScope? Scope, bool ShmAsTmp);

/// <summary>One open write of a mapped path: where its bytes go now, and where they go when it is committed.</summary>
/// <remarks>
/// With <paramref name="OwnFolder"/>, <paramref name="TempPath"/> is alone in a private folder (a local-path lease, whose writer may add files beside it), removed when the write ends.
/// With <paramref name="TempPathExists"/>, <paramref name="TempPath"/> is a spare made ahead (see <see cref="SpareFiles"/>), empty.
/// </remarks>
internal sealed record WriteSession(ResolvedPath Path, string TempPath, string DataPath, string DataRoot, bool Staged, WritePolicy Policy, FileWriter Writer, bool OwnFolder = false, bool TempPathExists = false) : IWriteTarget
{
    public string LogicalPath => Path.LogicalPath;

    public string Folder => DataRoot;

    public ValueTask CommitAsync(bool async, CancellationToken cancellationToken) => Writer.CommitAsync(this, async, cancellationToken);

    public void Discard() => Writer.Abandon(this);

    public bool InSharedMemory => Staged;

    public (FileStream Stream, IWriteTarget Target) MoveToDisk(FileStream inner, long position, bool async) => Writer.MoveToDisk(this, inner, position, async);
}

/// <summary>
/// Opens logical paths for writing and commits them when closed. A write goes to a private file
/// (so no reader ever sees half of it); on close it is renamed over the cache file (or its staged
/// copy in shared memory), recorded in the journal, and uploaded or queued.
/// </summary>
internal sealed partial class FileWriter
{
    private readonly CacheFiller _filler;
    private readonly BlobService _blobs;
    private readonly Uploader _uploader;
    private readonly PendingStore _pending;
    private readonly SharedMemoryStaging _shm;
    private readonly CacheSpace _space;
    private readonly UnsyncedFills _fills;
    private readonly TimeSpan _lockTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _maxPendingUploadBytes;
    private readonly WritingFolders _folders;

    public FileWriter(CacheFiller filler, BlobService blobs, Uploader uploader, PendingStore pending, SharedMemoryStaging shm, CacheSpace space, UnsyncedFills fills, WritingFolders folders, TimeSpan lockTimeout, TimeProvider time, ILogger logger, long maxPendingUploadBytes)
    {
        _fills = fills;
        _folders = folders;
        _maxPendingUploadBytes = maxPendingUploadBytes;
        _logger = logger;
        _space = space;
        _lockTimeout = lockTimeout;
        _filler = filler;
        _blobs = blobs;
        _uploader = uploader;
        _pending = pending;
        _shm = shm;
        _time = time;
    }

    /// <summary>
    /// Opens <paramref name="path"/> for writing with <see cref="File.Open(string, FileMode, FileAccess)"/>'s
    /// semantics, where "exists" means cached, staged or present as a blob.
    /// </summary>
    /// <exception cref="IOException">The cache file's folder is reached through a link (nothing is written through one).</exception>
    public async ValueTask<AzFuseWriteStream> OpenAsync(ResolvedPath path, FileMode mode, FileAccess access, WritePolicy policy, bool requireCommit, bool async, CancellationToken cancellationToken)
    {
        var (session, startFrom) = await BeginAsync(path, mode, policy, ownFolder: false, async, cancellationToken).ConfigureAwait(false);
        try
        {
            return PrivateWrite.Open(WithSpare(session), startFrom, mode, access, requireCommit, async, _logger);
        }
        catch (DiskFullException) when (session.Staged)
        {
            // The copy of the content it builds on did not fit in shared memory: on disk, then.
            Log.SharedMemoryFullMovedToDisk(_logger, path.LogicalPath, session.DataRoot);
            return PrivateWrite.Open(WithSpare(NewSession(path, stagingRoot: null, policy, ownFolder: false)), startFrom, mode, access, requireCommit, async, _logger);
        }
    }

    /// <summary>
    /// <paramref name="session"/> (whose private file does not exist yet) with a spare made ahead as
    /// its private file, if there is one: on disk, creating the file can cost more than the rest of
    /// a small synchronous write's local work (see <see cref="SpareFiles"/>). Only for a write
    /// outside a scope, whose upload the next spare's create overlaps: writes in a scope follow
    /// each other with nothing to overlap, so a spare made beside them can only contend with their
    /// own creates (the folder's lock) and their uploads (the thread pool). (The hot-path scope
    /// row on disk measured 1.75x and 1.94x its shared-memory twin with spares, 0.97x–1.54x
    /// without, on a loaded machine: no gain to show for the risk.) Not in shared memory, where a
    /// create costs microseconds, nor for a write in a folder of its own.
    /// </summary>
    private WriteSession WithSpare(WriteSession session)
    {
        if (session.Staged || session.OwnFolder || session.Policy.Scope is not null)
        {
            return session;
        }

        return _folders.TakeSpare(session.DataRoot) is { } spare ? session with { TempPath = spare, TempPathExists = true } : session;
    }

    /// <summary>
    /// Starts a write of <paramref name="path"/> with <see cref="File.Open(string, FileMode, FileAccess)"/>'s
    /// mode semantics: the session, whose private file does not exist yet, and the local copy the
    /// write builds on (Append, OpenOrCreate, Open), or <see langword="null"/>.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="mode">How it is opened.</param>
    /// <param name="policy">How it is uploaded when committed.</param>
    /// <param name="ownFolder">Put the private file alone in a folder of its own, named as the file (with a leading '.'): for a caller that writes the path itself.</param>
    /// <param name="async">Whether to run asynchronously.</param>
    /// <param name="cancellationToken">Cancels a download the write builds on.</param>
    /// <exception cref="IOException">The cache file's folder is reached through a link (nothing is written through one).</exception>
    public async ValueTask<(WriteSession Session, string? StartFrom)> BeginAsync(ResolvedPath path, FileMode mode, WritePolicy policy, bool ownFolder, bool async, CancellationToken cancellationToken)
    {
        // Refused now rather than when committed: the commit would put the file outside the cache.
        ContainedFolders.Check(path.CacheRoot, Path.GetDirectoryName(path.CachePath)!);
        var keepsContent = mode is FileMode.Open or FileMode.OpenOrCreate or FileMode.Append;
        var current = LocalCopyOf(path);
        if (keepsContent && current == path.CachePath && path.Mapping.Revalidates)
        {
            // Under revalidate_after a write that builds on the content checks it first, as a read
            // would: appending to a stale copy would upload over the blob's newer content.
            try
            {
                await _filler.FillAsync(path, async, cancellationToken).ConfigureAwait(false);
            }
            catch (FileNotFoundException)
            {
                // Deleted remotely (and its cached copy with it): the write starts from nothing.
            }

            current = LocalCopyOf(path);
        }
        var exists = current is not null;
        if (!exists && mode != FileMode.Create)
        {
            if (keepsContent)
            {
                // Appending to a blob that is not cached starts from the blob's content.
                try
                {
                    await _filler.FillAsync(path, async, cancellationToken).ConfigureAwait(false);
                    current = path.CachePath;
                    exists = true;
                }
                catch (FileNotFoundException)
                {
                    exists = false;
                }
            }
            else
            {
                exists = await _blobs.GetPropertiesAsync(path.Blob, async, cancellationToken).ConfigureAwait(false) is not null;
            }
        }

        if (mode == FileMode.CreateNew && exists)
        {
            throw Errors.FileAlreadyExists(path.LogicalPath, current ?? path.Blob.DisplayName);
        }

        if (mode is FileMode.Open or FileMode.Truncate && !exists)
        {
            throw Errors.BlobNotFound(path.LogicalPath, path.Blob);
        }

        var startFrom = keepsContent ? current : null;
        var stagingRoot = policy.ShmAsTmp ? _shm.CreateRoot(path.CacheRoot) : null;
        if (stagingRoot is not null && !HasRoomToStage(stagingRoot, startFrom))
        {
            // Staged in shared memory only while there is room: a full /dev/shm (64 MiB in a
            // container by default) must not fail writes that the disk can take.
            Log.SharedMemoryFullMovedToDisk(_logger, path.LogicalPath, stagingRoot);
            stagingRoot = null;
        }

        return (NewSession(path, stagingRoot, policy, ownFolder), startFrom);
    }

    private WriteSession NewSession(ResolvedPath path, string? stagingRoot, WritePolicy policy, bool ownFolder)
    {
        var dataRoot = stagingRoot ?? path.CacheRoot;
        if (policy.Scope is null && stagingRoot is null)
        {
            // Its private file may become a cached copy without an fsync (see CommitAsync): it must
            // be born after the root's marker, as a fill's partial file is.
            _fills.Begin(dataRoot);
        }

        var dataPath = stagingRoot is null ? path.CachePath : SharedMemoryStaging.PathUnder(stagingRoot, path.CacheRoot, path.CachePath);
        // A leading '.': the Python tool's collector skips it in a shared cache (see CacheLayout).
        var temp = Path.Combine(WritingFolder(dataRoot), "." + Guid.NewGuid().ToString("N"));
        if (ownFolder)
        {
            // Named as the file, for tools that go by its extension; a writer's own files beside
            // it (SQLite's journal) stay in this folder and go with it.
            Directory.CreateDirectory(temp);
            temp = Path.Combine(temp, "." + Path.GetFileName(path.CachePath));
        }

        return new WriteSession(path, temp, dataPath, dataRoot, stagingRoot is not null, policy, this, ownFolder);
    }

    // Room for the content a write starts from, and 1 MiB more; the rest is found out by writing
    // (a write that hits the end of shared memory moves to disk: MoveToDisk).
    private static bool HasRoomToStage(string stagingRoot, string? startFrom) =>
        DiskSpace.FreeBytes(stagingRoot) is not { } free || free >= (startFrom is null ? 0 : new FileInfo(startFrom).Length) + (1L << 20);

    /// <summary>
    /// Moves a write staged in shared memory that ran out of room to the cache folder (see
    /// <see cref="IWriteTarget.MoveToDisk"/>): the user's write goes on, nothing written is lost.
    /// </summary>
    public (FileStream Stream, WriteSession Session) MoveToDisk(WriteSession staged, FileStream inner, long position, bool async)
    {
        var path = staged.Path;
        var temp = Path.Combine(WritingFolder(path.CacheRoot), "." + Guid.NewGuid().ToString("N"));
        var canRead = inner.CanRead;
        inner.Dispose();
        using (var source = new FileStream(staged.TempPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0))
        using (var copy = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            source.CopyTo(copy, 1 << 20);
        }

        CacheCommit.DeleteQuietly(staged.TempPath);
        Log.SharedMemoryFullMovedToDisk(_logger, path.LogicalPath, staged.DataRoot);
        var stream = new FileStream(temp, FileMode.Open, canRead ? FileAccess.ReadWrite : FileAccess.Write, FileShare.None, 4096, async ? FileOptions.Asynchronous : FileOptions.None)
        {
            Position = position,
        };
        return (stream, staged with { TempPath = temp, DataPath = path.CachePath, DataRoot = path.CacheRoot, Staged = false });
    }

    /// <summary>Drops a write: discarded, unchanged, or failed before it was recorded.</summary>
    public void Abandon(WriteSession session)
    {
        CacheCommit.DeleteQuietly(session.TempPath);
        RemoveOwnFolder(session);
    }

    /// <summary>The newest local content of <paramref name="path"/>: a staged copy not yet uploaded, else the cache file.</summary>
    public string? LocalCopyOf(ResolvedPath path)
    {
        var staged = _shm.StagedPathOf(path.CacheRoot, path.CachePath);
        return staged is not null && CacheFileNames.IsCachedFile(staged) ? staged : CacheFileNames.IsCachedFile(path.CachePath) ? path.CachePath : null;
    }

    /// <summary>The private folder of a write that has one, with whatever its writer left beside the file (it lies inside this process's writing folder).</summary>
    private static void RemoveOwnFolder(WriteSession session)
    {
        if (!session.OwnFolder)
        {
            return;
        }

        try
        {
            // Links inside are removed, never followed.
            Directory.Delete(Path.GetDirectoryName(session.TempPath)!, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the writing folder's removal at exit.
        }
    }

    private string WritingFolder(string dataRoot) => _folders.Of(dataRoot);
}
