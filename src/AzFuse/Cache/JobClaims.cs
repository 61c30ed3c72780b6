using AzFuse.IO;
using AzFuse.Paths;

namespace AzFuse.Cache;

/// <summary>
/// What an azcopy job fetches, claimed for every process on the machine: a list of cache paths in
/// a folder of its own under <c>CACHE/.azfuse/claims/</c>, alive exactly while the folder's owner
/// lock is held (the OS drops it when the owner dies, even by <c>kill -9</c>). A job cannot hold a
/// fill lock per file for its whole run (100,000 open files), so this one lock stands for all.
/// </summary>
/// <remarks>
/// A job reads the live claims and writes its own under one root-wide lock, so two jobs never claim
/// the same file. A batch of either kind leaves the files another job claimed to it, waits for that
/// job's claim to end, and then takes whatever the job did not fetch.
/// </remarks>
internal sealed class JobClaims : IDisposable
{
    // A leading '.': the Python tool's collector skips it in a shared cache (see CacheLayout).
    private const string ListName = ".files";
    private static readonly TimeSpan s_maxPoll = TimeSpan.FromSeconds(1);

    private readonly ScratchFolder? _folder;

    private JobClaims(ScratchFolder? folder, IReadOnlyList<ResolvedPath> mine, IReadOnlyList<ResolvedPath> others, IReadOnlyList<string> owners)
    {
        _folder = folder;
        Mine = mine;
        Others = others;
        OtherOwners = owners;
    }

    /// <summary>The files this job claimed: it fetches them.</summary>
    public IReadOnlyList<ResolvedPath> Mine { get; }

    /// <summary>The files other jobs had claimed: waited for with <see cref="WaitForOthersAsync"/>.</summary>
    public IReadOnlyList<ResolvedPath> Others { get; }

    /// <summary>The owner locks of those other jobs' claims.</summary>
    public IReadOnlyList<string> OtherOwners { get; }

    /// <summary>Claims the files of <paramref name="paths"/> that no other job has claimed.</summary>
    public static async ValueTask<JobClaims> ClaimAsync(string cacheRoot, IReadOnlyList<ResolvedPath> paths, TimeSpan lockTimeout, TimeProvider time, bool async, CancellationToken cancellationToken)
    {
        ContainedFolders.Create(cacheRoot, Path.Combine(cacheRoot, CacheLayout.WorkFolderName));
        using var rootLock = await FileLock.AcquireAsync(CacheLayout.ClaimsLockPath(cacheRoot), lockTimeout, "the job claims of " + cacheRoot, async, time, cancellationToken).ConfigureAwait(false);
        var (taken, owners) = ReadLive(cacheRoot);

        // Usually no other job runs: then all are ours, without a copy of the list.
        IReadOnlyList<ResolvedPath> mine = taken.Count == 0 ? paths : paths.Where(p => !taken.Contains(p.CachePath)).ToList();
        IReadOnlyList<ResolvedPath> others = taken.Count == 0 ? [] : paths.Where(p => taken.Contains(p.CachePath)).ToList();
        if (mine.Count == 0)
        {
            return new JobClaims(null, mine, others, owners);
        }

        var folder = ScratchFolder.Create(CacheLayout.ClaimsFolder(cacheRoot), keepAbandonedFor: TimeSpan.Zero, time);
        try
        {
            File.WriteAllLines(Path.Combine(folder.Path, ListName), mine.Select(p => p.CachePath));
        }
        catch
        {
            folder.Dispose();
            throw;
        }

        return new JobClaims(folder, mine, others, owners);
    }

    /// <summary>
    /// The files other jobs have claimed now (a cheap look when no job runs: one empty folder), and
    /// those jobs' owner locks, for a batch that fetches file by file.
    /// </summary>
    public static (HashSet<string> CachePaths, IReadOnlyList<string> Owners) ReadLive(string cacheRoot)
    {
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        var owners = new List<string>();
        var parent = CacheLayout.ClaimsFolder(cacheRoot);
        if (NativeFiles.StatusOf(parent) is not { Kind: FileKind.Directory })
        {
            return (claimed, owners);
        }

        foreach (var folder in Directory.EnumerateDirectories(parent))
        {
            var ownerLock = folder + ".lock";
            if (!IsAlive(ownerLock))
            {
                continue;
            }

            try
            {
                claimed.UnionWith(File.ReadLines(Path.Combine(folder, ListName)));
                owners.Add(ownerLock);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                // Ended (or not written yet: its owner holds the root lock, which the caller does too).
            }
        }

        return (claimed, owners);
    }

    /// <summary>Waits until the claims held by <paramref name="owners"/> have ended, each by its job finishing or dying.</summary>
    public static async ValueTask WaitForAsync(IReadOnlyList<string> owners, TimeSpan timeout, TimeProvider time, bool async, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var interval = TimeSpan.FromMilliseconds(20);
        while (owners.Any(IsAlive))
        {
            if (timeout != Timeout.InfiniteTimeSpan && time.GetElapsedTime(started) >= timeout)
            {
                throw Diagnostics.Errors.LockTimeout("files another azcopy job is fetching", owners[0], timeout);
            }

            if (async)
            {
                await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                cancellationToken.WaitHandle.WaitOne(interval);
            }

            interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, s_maxPoll.Ticks));
        }
    }

    /// <inheritdoc cref="WaitForAsync(IReadOnlyList{string}, TimeSpan, TimeProvider, bool, CancellationToken)"/>
    public ValueTask WaitForOthersAsync(TimeSpan timeout, TimeProvider time, bool async, CancellationToken cancellationToken) =>
        WaitForAsync(OtherOwners, timeout, time, async, cancellationToken);

    /// <summary>Ends the claim: the job is done (what it fetched is in place, or failed).</summary>
    public void Dispose() => _folder?.Dispose();

    private static bool IsAlive(string ownerLock)
    {
        if (NativeFiles.StatusOf(ownerLock) is null)
        {
            return false;
        }

        try
        {
            using var probe = FileLock.TryAcquire(ownerLock);
            return probe is null;
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
    }
}
