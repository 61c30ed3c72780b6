using System.Runtime.CompilerServices;
using AzFuse.Cache;
using AzFuse.Diagnostics;
using AzFuse.IO;
using AzFuse.Paths;
using AzFuse.Upload;

namespace AzFuse.Remote;

/// <summary>
/// The operations on remote files that are not transfers (exists, length, list, delete, URL, service-side copy),
/// for mapped paths. Content not uploaded yet counts as the file's current state: a file written
/// in an <see cref="AzFuseClient.AsyncUpload(bool, bool)"/> scope exists, has its new length, and is listed.
/// </summary>
internal sealed class RemoteFiles
{
    private readonly BlobService _blobs;
    private readonly PendingStore _pending;
    private readonly SharedMemoryStaging _staging;
    private readonly SasProvider _sas;

    public RemoteFiles(BlobService blobs, PendingStore pending, SharedMemoryStaging staging, SasProvider sas)
    {
        _blobs = blobs;
        _pending = pending;
        _staging = staging;
        _sas = sas;
    }

    public async ValueTask<bool> ExistsAsync(ResolvedPath path, bool async, CancellationToken cancellationToken)
    {
        if (IsRoot(path) || LocalCopy(path) is not null || Directory.Exists(path.CachePath))
        {
            return true;
        }

        if (await _blobs.GetPropertiesAsync(path.Blob, async, cancellationToken).ConfigureAwait(false) is not null)
        {
            return true;
        }

        // A folder exists when some blob lies under it.
        var page = await _blobs.ListAsync(path.Blob.Account, path.Blob.BlobName + "/", recursive: false, marker: null, maxResults: 1, async, cancellationToken).ConfigureAwait(false);
        return page.Blobs.Count > 0 || page.Prefixes.Count > 0;
    }

    public async ValueTask<long> GetLengthAsync(ResolvedPath path, bool async, CancellationToken cancellationToken)
    {
        if (LocalCopy(path) is { } local)
        {
            return local.Length;
        }

        var properties = await _blobs.GetPropertiesAsync(path.Blob, async, cancellationToken).ConfigureAwait(false)
            ?? throw Errors.BlobNotFound(path.LogicalPath, path.Blob);
        return properties.IsFolder ? throw Errors.NotAFile(path.LogicalPath, path.Blob.DisplayName) : properties.Length;
    }

    /// <summary>The files under the folder <paramref name="folder"/>, as logical paths spelled from the caller's folder path.</summary>
    public IEnumerable<string> List(ResolvedPath folder, string logicalFolder, bool recursive)
    {
        var (prefix, display) = RemoteListing.Prefixes(folder, logicalFolder);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var page in RemoteListing.Pages(_blobs, folder, prefix, recursive))
        {
            foreach (var logical in LogicalPaths(page, prefix, display, seen))
            {
                yield return logical;
            }
        }

        foreach (var logical in PendingUnder(folder, prefix, display, recursive, seen))
        {
            yield return logical;
        }
    }

    /// <inheritdoc cref="List"/>
    public async IAsyncEnumerable<string> ListAsync(ResolvedPath folder, string logicalFolder, bool recursive, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (prefix, display) = RemoteListing.Prefixes(folder, logicalFolder);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var page in RemoteListing.PagesAsync(_blobs, folder, prefix, recursive, cancellationToken).ConfigureAwait(false))
        {
            foreach (var logical in LogicalPaths(page, prefix, display, seen))
            {
                yield return logical;
            }
        }

        foreach (var logical in PendingUnder(folder, prefix, display, recursive, seen))
        {
            yield return logical;
        }
    }

    /// <summary>Deletes the blob and the cached copy; nothing happens when neither exists (as File.Delete).</summary>
    /// <exception cref="IOException">The file has a write not uploaded yet.</exception>
    public async ValueTask DeleteAsync(ResolvedPath path, bool async, CancellationToken cancellationToken)
    {
        // Deleting the blob under a queued upload would be undone by that upload a moment later,
        // and deleting the pending content would lose the only copy of a write.
        if (HasPendingWrite(path))
        {
            throw Errors.DeleteOfPendingWrite(path.LogicalPath);
        }

        await _blobs.DeleteAsync(path.Blob, async, cancellationToken).ConfigureAwait(false);
        DropCachedCopy(path);
    }

    /// <summary>
    /// Copies <paramref name="source"/>'s blob (of this client or another, whose parts are given)
    /// over <paramref name="destination"/>'s, service-side: the service reads the source through a
    /// read SAS, and no byte passes through this machine. The destination's cached copy goes.
    /// </summary>
    /// <exception cref="FileNotFoundException">The source blob does not exist.</exception>
    /// <exception cref="IOException">The destination has a write not uploaded yet.</exception>
    public async ValueTask CopyAsync(ResolvedPath source, BlobService sourceBlobs, SasProvider sourceSas, ResolvedPath destination, bool async, CancellationToken cancellationToken)
    {
        var sourceAccount = source.Blob.Account;
        var destinationAccount = destination.Blob.Account;
        if (sourceAccount.ContainerUri == destinationAccount.ContainerUri && source.Blob.BlobName == destination.Blob.BlobName)
        {
            return; // the same blob (the Python tool says so too, and copies nothing)
        }

        if (HasPendingWrite(destination))
        {
            throw Errors.CopyOverPendingWrite(destination.LogicalPath);
        }

        var sourceUri = await sourceSas.AuthorizeAsync(sourceBlobs.Clients.Blob(source.Blob).Uri, sourceAccount, "r", async, cancellationToken).ConfigureAwait(false);
        _ = await _blobs.CopyAsync(source.Blob, sourceUri, destination.Blob, async, cancellationToken).ConfigureAwait(false)
            ?? throw Errors.BlobNotFound(source.LogicalPath, source.Blob);
        DropCachedCopy(destination);
    }

    /// <summary>A URL that reads the blob until <paramref name="expiry"/> from now, and nothing else.</summary>
    public async ValueTask<Uri> GetUrlAsync(ResolvedPath path, TimeSpan expiry, bool async, CancellationToken cancellationToken)
    {
        // A link to a blob that is not there (a typo, an upload still pending) would fail only when shared.
        _ = await _blobs.GetPropertiesAsync(path.Blob, async, cancellationToken).ConfigureAwait(false)
            ?? throw Errors.BlobNotFound(path.LogicalPath, path.Blob);
        return await _sas.GetReadUrlAsync(path.Blob, path.LogicalPath, expiry, async, cancellationToken).ConfigureAwait(false);
    }

    private static bool IsRoot(ResolvedPath path) => path.CachePath == path.CacheRoot;

    private bool HasPendingWrite(ResolvedPath path) => _pending.HasPendingWrite(path.CacheRoot, path.Mapping.StorageAccount, path.Blob.BlobName);

    /// <summary>The cached copy of a blob that changed here: only one inside the cache folder itself, never through a linked folder.</summary>
    private static void DropCachedCopy(ResolvedPath path)
    {
        if (ContainedFolders.Holds(path.CacheRoot, path.CachePath))
        {
            CacheCommit.DeleteQuietly(path.CachePath);
            CacheRecords.Delete(path.CachePath);
        }
    }

    /// <summary>The cache file, or the copy staged in shared memory, that holds the file's newest content.</summary>
    private FileInfo? LocalCopy(ResolvedPath path)
    {
        var cached = new FileInfo(path.CachePath);
        if (cached.Exists && cached.LinkTarget is null)
        {
            return cached;
        }

        return _staging.StagedPathOf(path.CacheRoot, path.CachePath) is { } stagedPath && new FileInfo(stagedPath) is { Exists: true } staged ? staged : null;
    }

    private static IEnumerable<string> LogicalPaths(BlobListPage page, string prefix, string display, HashSet<string> seen)
    {
        foreach (var blob in page.Blobs)
        {
            // A directory entry of a hierarchical namespace is a folder, not a file.
            if (!blob.IsFolder && RemoteListing.Logical(blob.Name, prefix, display) is { } logical && seen.Add(blob.Name))
            {
                yield return logical;
            }
        }
    }

    /// <summary>Written files not uploaded yet: they exist for the application, so they are listed.</summary>
    private IEnumerable<string> PendingUnder(ResolvedPath folder, string prefix, string display, bool recursive, HashSet<string> seen)
    {
        foreach (var record in _pending.PendingRecords(folder.CacheRoot).OrderBy(r => r.BlobName, StringComparer.Ordinal))
        {
            if (record.StorageAccount == folder.Mapping.StorageAccount &&
                record.BlobName.StartsWith(prefix, StringComparison.Ordinal) &&
                (recursive || !record.BlobName.AsSpan(prefix.Length).Contains('/')) &&
                seen.Add(record.BlobName) &&
                RemoteListing.Logical(record.BlobName, prefix, display) is { } logical)
            {
                yield return logical;
            }
        }
    }
}
