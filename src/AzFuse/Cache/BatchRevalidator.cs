using AzFuse.Diagnostics;
using AzFuse.Paths;
using AzFuse.Remote;
using AzFuse.Transfer;

namespace AzFuse.Cache;

/// <summary>
/// Prepare's side of <c>revalidate_after</c>: checks many cached files that are due against their
/// blobs at once. Where a folder has many of them, one listing of that folder answers for all
/// (5,000 blobs a request); where it has few, one HEAD each, many in flight.
/// </summary>
internal sealed class BatchRevalidator
{
    private readonly BlobService _blobs;
    private readonly Freshness _freshness;
    private readonly Revalidation _revalidation;
    private readonly TransferPlanner _planner;

    public BatchRevalidator(BlobService blobs, Freshness freshness, Revalidation revalidation, TransferPlanner planner)
    {
        _blobs = blobs;
        _freshness = freshness;
        _revalidation = revalidation;
        _planner = planner;
    }

    /// <summary>
    /// Checks <paramref name="due"/> (cached files whose records are due). Unchanged files get a
    /// fresh record; files deleted remotely lose their cached copy and are reported as failures.
    /// </summary>
    /// <returns>The files that changed remotely, to download again, and the failures.</returns>
    public async ValueTask<(List<ResolvedPath> Changed, List<TransferFailure> Failures)> CheckAsync(IReadOnlyList<ResolvedPath> due, bool async, CancellationToken cancellationToken)
    {
        var current = new BlobProperties?[due.Count];
        var failures = new List<TransferFailure>();
        var groups = due.Select((path, index) => (Path: path, Index: index))
            .GroupBy(p => (Container: p.Path.Blob.Account.ContainerUri.AbsoluteUri, Folder: FolderOf(p.Path.Blob.BlobName)))
            .ToList();

        foreach (var group in groups)
        {
            try
            {
                // A listing costs one request per 5,000 blobs of the folder, however many are due; a
                // HEAD costs one request per file, HttpParallelism at a time. Below one round of
                // HEADs, the HEADs win whatever the folder's size.
                if (group.Count() > _planner.HttpParallelism)
                {
                    await ListAsync(group.ToList(), current, async, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await HeadAsync(group.ToList(), current, async, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (AzFuseException ex)
            {
                failures.AddRange(group.Select(p => new TransferFailure(p.Path.LogicalPath, ex)));
                foreach (var (_, index) in group)
                {
                    current[index] = null;
                }

                continue;
            }
        }

        var changed = new List<ResolvedPath>();
        var failed = failures.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < due.Count; i++)
        {
            if (failed.Contains(due[i].LogicalPath))
            {
                continue;
            }

            switch (await SettleAsync(due[i], current[i], async, cancellationToken).ConfigureAwait(false))
            {
                case Revalidated.Changed:
                    changed.Add(due[i]);
                    break;
                case Revalidated.Deleted:
                    failures.Add(new TransferFailure(due[i].LogicalPath, Errors.BlobNotFound(due[i].LogicalPath, due[i].Blob)));
                    break;
            }
        }

        return (changed, failures);
    }

    /// <summary>Compares one file with what the service said, under its fill lock (skipped if someone holds it: they are filling or writing it).</summary>
    private async ValueTask<Revalidated> SettleAsync(ResolvedPath path, BlobProperties? blob, bool async, CancellationToken cancellationToken)
    {
        using var fillLock = FillLock.TryAcquireExisting(path.CacheRoot, path.CachePath);
        if (fillLock is null || !CacheFileNames.IsCachedFile(path.CachePath))
        {
            return Revalidated.Current;
        }

        var record = CacheRecords.Read(path.CachePath);
        if (!_freshness.IsDue(path, record, forced: false))
        {
            return Revalidated.Current;
        }

        return await _revalidation.CheckLockedAsync(path, record, () => ValueTask.FromResult(blob), async, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask HeadAsync(List<(ResolvedPath Path, int Index)> group, BlobProperties?[] current, bool async, CancellationToken cancellationToken)
    {
        async ValueTask Head(int i, CancellationToken ct) =>
            current[group[i].Index] = await _blobs.GetPropertiesAsync(group[i].Path.Blob, async, ct).ConfigureAwait(false);

        var options = new ParallelOptions { MaxDegreeOfParallelism = _planner.HttpParallelism, CancellationToken = cancellationToken };
        await ParallelLoop.ForAsync(group.Count, options, Head, async).ConfigureAwait(false);
    }

    /// <summary>
    /// Lists the folder, narrowed to the names' common prefix, and stops once past the last name
    /// wanted (listings come in name order), so a few files in a huge folder cost a few pages.
    /// </summary>
    private async ValueTask ListAsync(List<(ResolvedPath Path, int Index)> group, BlobProperties?[] current, bool async, CancellationToken cancellationToken)
    {
        var byName = group.GroupBy(p => p.Path.Blob.BlobName, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(p => p.Index).ToList(), StringComparer.Ordinal);
        var names = byName.Keys.Order(StringComparer.Ordinal).ToList();
        var prefix = CommonPrefix(names[0], names[^1]);
        var account = group[0].Path.Blob.Account;
        string? marker = null;
        do
        {
            var page = await _blobs.ListAsync(account, prefix, recursive: false, marker, RemoteListing.PageSize, async, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Blobs)
            {
                if (byName.TryGetValue(item.Name, out var indexes))
                {
                    indexes.ForEach(i => current[i] = item.ToProperties());
                }
            }

            var pastLast = page.Blobs.Count > 0 && string.CompareOrdinal(page.Blobs[^1].Name, names[^1]) >= 0;
            marker = pastLast ? null : page.NextMarker;
        }
        while (marker is not null);
    }

    private static string FolderOf(string blobName) => blobName[..(blobName.LastIndexOf('/') + 1)];

    // The first and last of a sorted list share the longest prefix that all of them share.
    private static string CommonPrefix(string first, string last)
    {
        var length = first.AsSpan().CommonPrefixLength(last);
        return first[..length];
    }
}
