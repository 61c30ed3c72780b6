using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using AzFuse.IO;
using AzFuse.Paths;
using AzFuse.Remote;
using AzFuse.Transfer;

namespace AzFuse.Cache;

/// <summary>One version of a blob as a streamed read sees it: where its blocks live, and how it is cut.</summary>
/// <param name="Path">The logical path, its cache root and blob.</param>
/// <param name="Blob">The blob's properties when the stream was opened (its ETag names the version).</param>
/// <param name="BlockSize">The size of every block but the last.</param>
/// <param name="Folder">The folder of this version's blocks.</param>
internal sealed record StreamedBlob(ResolvedPath Path, BlobProperties Blob, long BlockSize, string Folder)
{
    public int BlockCount => (int)((Blob.Length + BlockSize - 1) / BlockSize);

    public long LengthOf(int index) => Math.Min(BlockSize, Blob.Length - (index * BlockSize));
}

/// <summary>
/// The blocks of streamed reads, on local disk under <c>CACHE/.azfuse/blocks/</c>: one folder per
/// file and version (<c>blocks/&lt;path in the cache&gt;/&lt;hash of the ETag&gt;/&lt;index&gt;</c>), one
/// file per block, shared by every process of the machine. A block fetched by one process is a hit
/// for the others; blocks of another version are in another folder, so versions never mix.
/// </summary>
/// <remarks>
/// A block file is whole or absent: it is fetched into a private temporary file (at its full length
/// from the start, so that a bounded cache counts it in flight), checked against the MD5 the service
/// sends with it, flushed to disk, and renamed into place without replacing a copy another process
/// put there first. Blocks count against the cache folder's <c>max_cache_size</c> like cache files:
/// a fetch reserves its size, and an eviction pass weighs blocks and files together by when they
/// were last opened. A block open in any process (a stream reading it, or holding it read ahead) is
/// never evicted: readers hold the shared lock every AzFuse reader holds, and eviction deletes a
/// block only under an exclusive open, as it does cache files.
/// </remarks>
internal sealed class BlockCache
{
    private const string FolderName = "blocks";

    private readonly RangeFetcher _fetcher;
    private readonly CacheSpace _space;
    private readonly UnsyncedFills _fills;
    private readonly long _blockSize;
    private readonly bool _verify;

    // The blocks being fetched in this process, each done when its fetch ends (however it ends): a
    // second reader of a block waits for that fetch instead of starting another (a read-ahead that a
    // seek abandoned, or two streams of one file). Across processes a race costs a duplicate fetch.
    private readonly ConcurrentDictionary<string, Task> _fetching = new(StringComparer.Ordinal);

    public BlockCache(RangeFetcher fetcher, CacheSpace space, UnsyncedFills fills, ChunkSettings chunks)
    {
        _fills = fills;
        _fetcher = fetcher;
        _space = space;

        // At most 4 MiB: each block is checked against the MD5 the service sends with it (unless
        // downloads are not verified; the size stays, so blocks cached either way are the same).
        _blockSize = chunks.VerifiedRange;
        _verify = chunks.Verify;
    }

    /// <summary>The folder of every block under <paramref name="cacheRoot"/>.</summary>
    public static string RootOf(string cacheRoot) => Path.Combine(cacheRoot, CacheLayout.WorkFolderName, FolderName);

    /// <summary>The blocks of <paramref name="path"/> (every version), or of everything under it when it is a folder.</summary>
    public static string FolderOf(ResolvedPath path) =>
        path.CachePath == path.CacheRoot ? RootOf(path.CacheRoot) : Path.Combine(RootOf(path.CacheRoot), Path.GetRelativePath(path.CacheRoot, path.CachePath));

    /// <summary>The version of <paramref name="path"/>'s blob that <paramref name="blob"/> describes.</summary>
    public StreamedBlob Describe(ResolvedPath path, BlobProperties blob)
    {
        var version = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(blob.ETag ?? string.Empty)), 0, 8).ToLowerInvariant();
        return new StreamedBlob(path, blob, _blockSize, Path.Combine(FolderOf(path), version));
    }

    /// <summary>
    /// Opens block <paramref name="index"/> for reading: from the block cache when some process
    /// fetched it, else fetched first. The open file holds the block against eviction until disposed.
    /// </summary>
    /// <exception cref="Diagnostics.BlobChangedException">The blob is no longer this version.</exception>
    public async ValueTask<FileStream> OpenAsync(StreamedBlob file, int index, bool async, CancellationToken cancellationToken)
    {
        var path = Path.Combine(file.Folder, index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        for (var attempt = 0; ; attempt++)
        {
            if (TryOpen(path, file.LengthOf(index)) is { } cached)
            {
                _space.MarkOpened(file.Path.CacheRoot, cached);
                return cached;
            }

            if (attempt == 4)
            {
                // Evicted each time between its fetch and its open: the cache is far too small for the reads in flight.
                throw new IOException($"The block {index} of '{file.Path.LogicalPath}' was removed from '{file.Folder}' as soon as it was fetched, again and again. Raise max_cache_size.");
            }

            var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var running = _fetching.GetOrAdd(path, mine.Task);
            if (running != mine.Task)
            {
                // Someone here is fetching it: wait, then look again (and fetch it ourselves if that failed).
                if (async)
                {
                    await running.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    running.Wait(cancellationToken);
                }

                continue;
            }

            try
            {
                // Fetched by another reader of this process between the look above and taking the
                // fetch over here (it had placed the block and let go): look again, or it is fetched
                // twice. (A thousand random reads with read-ahead fetched one block twice, once.)
                if (TryOpen(path, file.LengthOf(index)) is { } arrived)
                {
                    _space.MarkOpened(file.Path.CacheRoot, arrived);
                    return arrived;
                }

                await FetchAsync(file, index, path, async, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _fetching.TryRemove(new KeyValuePair<string, Task>(path, mine.Task));
                mine.SetResult();
            }
        }
    }

    /// <summary>
    /// Removes the blocks of the other versions of <paramref name="file"/>'s blob (those no stream has
    /// open): once a blob has changed, its old blocks can only be read by streams opened before.
    /// </summary>
    /// <returns>The bytes freed.</returns>
    public static long DropOtherVersions(StreamedBlob file)
    {
        var parent = Path.GetDirectoryName(file.Folder)!;
        if (NativeFiles.StatusOf(parent) is not { Kind: FileKind.Directory })
        {
            return 0;
        }

        long freed = 0;
        foreach (var version in Directory.EnumerateDirectories(parent).Where(v => v != file.Folder && NativeFiles.StatusOf(v) is { Kind: FileKind.Directory }))
        {
            foreach (var block in Directory.EnumerateFiles(version).Where(b => !IsTemporary(b)))
            {
                freed += TryEvict(block) ?? 0;
            }
        }

        return freed;
    }

    /// <summary>The blocks under <paramref name="cacheRoot"/>, as eviction weighs them against cache files, as they are walked.</summary>
    public static IEnumerable<CachedFile> Walk(string cacheRoot) =>
        CacheEviction.Walk(RootOf(cacheRoot), RootOf(cacheRoot), withOwnFiles: false).Where(f => !IsTemporary(f.Path));

    /// <summary>The bytes of the blocks under <paramref name="cacheRoot"/> and of those being fetched (their temporary files have their full length).</summary>
    public static long Bytes(string cacheRoot) =>
        CacheEviction.Walk(RootOf(cacheRoot), RootOf(cacheRoot), withOwnFiles: false).Sum(f => f.Length);

    /// <summary>Whether <paramref name="path"/> is a block (under <see cref="RootOf"/>).</summary>
    public static bool Holds(string cacheRoot, string path) => ContainedFolders.IsUnder(RootOf(cacheRoot), Path.GetDirectoryName(path)!);

    /// <summary>Removes a block unless a stream has it open; the bytes freed, or <see langword="null"/> when it stays.</summary>
    public static long? TryEvict(string path)
    {
        long length;
        try
        {
            // Exclusive: fails while any reader holds it; deleting while holding it lets no reader slip in.
            using (var probe = new FileStream(path, FileMode.Open, FileAccess.Read, OperatingSystem.IsWindows() ? FileShare.Delete : FileShare.None, bufferSize: 1))
            {
                length = probe.Length;
                File.Delete(path);
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return 0;
        }
        catch (IOException)
        {
            return null;
        }

        TryRemoveFolder(Path.GetDirectoryName(path)!);
        return length;
    }

    /// <summary>
    /// Removes every block of <paramref name="path"/> (a file or a folder; all versions), for ClearCache.
    /// Streams that have a block open keep reading it; their next blocks are fetched again.
    /// </summary>
    /// <returns>The bytes freed.</returns>
    public static long Clear(ResolvedPath path)
    {
        var folder = FolderOf(path);
        if (NativeFiles.StatusOf(folder) is not { Kind: FileKind.Directory } || !ContainedFolders.Holds(path.CacheRoot, Path.Combine(folder, "x")))
        {
            return 0;
        }

        long freed = 0;
        foreach (var block in CacheEviction.Scan(folder, folder, withOwnFiles: false))
        {
            CacheCommit.DeleteQuietly(block.Path);
            freed += IsTemporary(block.Path) ? 0 : block.Length;
        }

        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A block fetched meanwhile keeps its folder.
        }

        return freed;
    }

    private async ValueTask FetchAsync(StreamedBlob file, int index, string path, bool async, CancellationToken cancellationToken)
    {
        var root = file.Path.CacheRoot;
        var length = file.LengthOf(index);
        ContainedFolders.Create(root, file.Folder);
        await _space.ReserveAsync(root, length, async, cancellationToken).ConfigureAwait(false);
        _fills.Begin(root);
        var temporary = Path.Combine(file.Folder, $".{index}.{Guid.NewGuid():N}.tmp");
        var placed = false;
        try
        {
            using (var partial = PartialFile.Create(temporary, file.Path.Blob, length, async))
            {
                await _fetcher.FetchAsync(
                    file.Path.Blob,
                    file.Blob.ETag!,
                    index * file.BlockSize,
                    length,
                    withMd5: _verify,
                    (at, bytes, a, c) => partial.WriteAsync(at, bytes, a, c),
                    opened: null,
                    async,
                    cancellationToken).ConfigureAwait(false);
            }

            _fills.Complete(root, temporary);

            // Another process may have put the same block there meanwhile: its copy stands.
            placed = CacheCommit.MoveIntoPlace(temporary, root, path);
        }
        finally
        {
            CacheCommit.DeleteQuietly(temporary);
            if (!placed)
            {
                _space.Adjust(root, -length);
            }
        }
    }

    private static FileStream? TryOpen(string path, long length)
    {
        FileStream? block;
        if (NativeFiles.HasIdentity)
        {
            block = NativeFiles.TryOpenRegularFile(path) is { } handle ? new CacheFileStream(handle, path) : null;
        }
        else
        {
            try
            {
                block = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            }
            catch (IOException)
            {
                block = null;
            }
        }

        if (block is not null && block.Length != length)
        {
            // Not this block as fetched (cut short by a crash before its rename was durable): fetched again.
            block.Dispose();
            CacheCommit.DeleteQuietly(path);
            return null;
        }

        return block;
    }

    private static bool IsTemporary(string path) => Path.GetFileName(path).StartsWith('.');

    private static void TryRemoveFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not empty: other blocks of the version are still there.
        }
    }
}
