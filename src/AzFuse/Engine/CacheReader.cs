using AzFuse.Cache;
using AzFuse.Diagnostics;
using AzFuse.IO;
using AzFuse.Paths;
using Microsoft.Extensions.Logging;

namespace AzFuse.Engine;

/// <summary>
/// The read path of an enabled client: Open for reading (a hit is one open and nothing else; a
/// miss goes through the fill lock) and Prepare (the batch filler), from logical paths.
/// </summary>
internal sealed class CacheReader
{
    private readonly AzFuseEngine _engine;
    private readonly ILogger _logger;

    public CacheReader(AzFuseEngine engine, ILogger logger)
    {
        _engine = engine;
        _logger = logger;
    }

    /// <summary>
    /// Opens <paramref name="path"/> for reading: the cache file, downloaded first when missing (or due
    /// and changed), or with <paramref name="streaming"/> a stream over the blob's blocks when it is
    /// not cached; a path outside every mapping as a local file.
    /// </summary>
    public async ValueTask<Stream> OpenAsync(string path, bool forceCheck, bool streaming, bool async, CancellationToken cancellationToken)
    {
        var engine = _engine;
        if (engine.Resolver.Resolve(path) is not { } resolved)
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, async ? FileOptions.Asynchronous : FileOptions.None);
        }

        if (resolved.CachePath == resolved.CacheRoot)
        {
            throw Errors.NotAFile(path, resolved.CachePath);
        }

        if (TryOpenCurrent(resolved, forceCheck, async) is { } current)
        {
            return Hit(path, current);
        }

        if (streaming)
        {
            return await engine.Streams.OpenAsync(resolved, async, cancellationToken).ConfigureAwait(false);
        }

        var started = engine.Time.GetTimestamp();
        using var activity = Telemetry.Start("azfuse.open", path);
        var (file, downloaded) = await engine.Filler.OpenAsync(resolved, forceCheck, async, cancellationToken).ConfigureAwait(false);
        Telemetry.Succeeded(activity, downloaded ? "downloaded" : "cached");
        if (!downloaded)
        {
            return Hit(path, file);
        }

        engine.Statistics.Miss(engine.Time.GetElapsedTime(started));
        Log.CacheMiss(_logger, path);
        return file;
    }

    /// <summary>
    /// The cache file of <paramref name="resolved"/> when it can be read as it is (cached, and not due
    /// for a check against its blob), or its staged copy when a write not uploaded yet is newest;
    /// <see langword="null"/> when the blob must be asked.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">The path is a folder in the cache.</exception>
    public FileStream? TryOpenCurrent(ResolvedPath resolved, bool forceCheck, bool async)
    {
        var engine = _engine;

        // Without revalidate_after (the default) and a size limit, a hit is one open() and nothing
        // else: no lock, no network, no process. A revalidating mapping reads the record first.
        var due = (forceCheck || resolved.Mapping.Revalidates) && engine.Freshness.IsDue(resolved, CacheRecords.Read(resolved.CachePath), forceCheck);

        // A file in a folder linked into the cache is the user's: read as it is, never checked
        // against a blob or replaced (that would write through the link).
        if (due && !ContainedFolders.Holds(resolved.CacheRoot, resolved.CachePath))
        {
            due = false;
        }

        if (!due && TryOpenCached(resolved.CachePath, async) is { } cached)
        {
            engine.Space.MarkOpened(resolved.CacheRoot, cached);
            return cached;
        }

        if (Directory.Exists(resolved.CachePath))
        {
            throw Errors.NotAFile(resolved.LogicalPath, resolved.CachePath);
        }

        // Written in an AsyncUpload(shmAsTmp: true) scope and not uploaded yet: the staged copy is the newest content.
        if (engine.Staging.StagedPathOf(resolved.CacheRoot, resolved.CachePath) is { } stagedPath && TryOpenCached(stagedPath, async) is { } staged)
        {
            return staged;
        }

        return null;
    }

    /// <summary>Resolves <paramref name="paths"/> and fills what is missing; paths outside every mapping are ignored (and counted in a log event).</summary>
    public async ValueTask PrepareAsync(IEnumerable<string> paths, IProgress<TransferProgress>? progress, bool async, CancellationToken cancellationToken)
    {
        var resolved = _engine.Resolver.ResolveAll(paths as IReadOnlyList<string> ?? [.. paths], out var unmapped);
        if (unmapped > 0)
        {
            Log.UnmappedIgnored(_logger, unmapped);
        }

        using var activity = Telemetry.Start("azfuse.prepare", files: resolved.Length);
        await _engine.Batch.PrepareAsync(resolved, progress, async, cancellationToken).ConfigureAwait(false);
        Telemetry.Succeeded(activity);
    }

    private FileStream Hit(string path, FileStream file)
    {
        _engine.Statistics.Hit();
        Log.CacheHit(_logger, path);
        return file;
    }

    private static FileStream? TryOpenCached(string cachePath, bool async)
    {
        // A link at the cache path is not a cached copy, even when it points at a file (the fill
        // replaces the link, never its target). On Linux the open itself refuses to follow it
        // (O_NOFOLLOW), at the cost of a plain open; elsewhere one look at the path first.
        if (NativeFiles.HasIdentity)
        {
            return NativeFiles.TryOpenRegularFile(cachePath) is { } handle ? new CacheFileStream(handle, cachePath) : null;
        }

        if (NativeFiles.StatusOf(cachePath) is not { Kind: FileKind.File })
        {
            return null;
        }

        try
        {
            return new FileStream(cachePath, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, async ? FileOptions.Asynchronous : FileOptions.None);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException) when (Directory.Exists(cachePath))
        {
            // A folder, not a file: the caller reports it.
            return null;
        }
        catch (IOException) when (File.Exists(cachePath))
        {
            // Held exclusively: another process is evicting it this instant. The fill path waits
            // for that under the file's lock, then finds it gone (and downloads it) or still there.
            return null;
        }
    }
}
