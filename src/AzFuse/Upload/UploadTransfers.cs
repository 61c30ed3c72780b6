using System.Security.Cryptography;
using AzFuse.Cache;
using AzFuse.Diagnostics;
using AzFuse.IO;
using AzFuse.Remote;
using AzFuse.Transfer;
using Microsoft.Extensions.Logging;

namespace AzFuse.Upload;

/// <summary>
/// Moves pending uploads to the service by the route the <see cref="TransferPlanner"/> picks: a file
/// through one Put Blob request, parallel blocks (<see cref="BlockUploader"/>) or azcopy's pipe mode
/// (by size), a large batch of one container
/// through one azcopy job over hard-linked snapshots; each retried with backoff while the cause
/// may pass. Never throws for a file's failure: it reports one outcome per file.
/// </summary>
internal sealed class UploadTransfers
{
    private readonly PipeUploader _pipe;
    private readonly JobUploader _job;
    private readonly BlobService _blobs;
    private readonly BlockUploader _blocks;
    private readonly TransferPlanner _planner;
    private readonly RetryPolicy _retry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    // The HTTP uploads in flight across the background loop's batches, which may overlap.
    private readonly SemaphoreSlim _httpSlots;

    public UploadTransfers(PipeUploader pipe, JobUploader job, BlobService blobs, BlockUploader blocks, TransferPlanner planner, RetryPolicy retry, TimeProvider time, ILogger logger)
    {
        _pipe = pipe;
        _job = job;
        _blobs = blobs;
        _blocks = blocks;
        _planner = planner;
        _retry = retry;
        _time = time;
        _logger = logger;
        _httpSlots = new SemaphoreSlim(planner.HttpParallelism);
    }

    /// <summary>
    /// How many batches of the background loop may run at once: as many as uploads in flight over
    /// HTTP, or one where every batch of two or more goes to azcopy (forced), so that what is
    /// written meanwhile gathers into the next job instead of starting a run of its own.
    /// </summary>
    public int BatchesAtOnce => _planner.ForBatch(2) == TransferRoute.Job ? 1 : _planner.HttpParallelism;

    /// <summary>Whether a file of <paramref name="length"/> bytes goes up in one request (a Put Blob: not in blocks, not through azcopy).</summary>
    public bool IsOneRequest(long length) => _planner.ForFile(length) == TransferRoute.Http && !_blocks.Takes(length);

    /// <summary>Uploads one file's current content; <see langword="null"/> once confirmed, else the final cause.</summary>
    public ValueTask<Exception?> UploadOneAsync(PendingItem item, bool async, CancellationToken cancellationToken) =>
        UploadFileAsync(item.Blob, item.Record.DataPath, item.Record.CacheRoot, item.Record.LogicalPath, async, cancellationToken);

    /// <summary>Uploads <paramref name="file"/> to <paramref name="blob"/>; <see langword="null"/> once confirmed, else the final cause.</summary>
    public async ValueTask<Exception?> UploadFileAsync(BlobLocation blob, string file, string cacheRoot, string logicalPath, bool async, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        FileStream source;
        try
        {
            // The open handle is the snapshot: a later write renames new content over the name
            // and leaves these bytes as they are.
            source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, async ? FileOptions.Asynchronous : FileOptions.None);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return Errors.StagedDataMissing(logicalPath, file);
        }

        using (source)
        {
            var workFolder = CacheLayout.AzCopyFolder(cacheRoot);
            try
            {
                // A Put Blob or a Put Block List is confirmed by its own response (the service checked
                // every body's MD5, and stores the file's); a pipe upload is confirmed by a HEAD afterwards.
                var route = _planner.ForFile(source.Length);
                async ValueTask Attempt(bool isAsync, CancellationToken ct)
                {
                    source.Position = 0;
                    if (route == TransferRoute.Http && _blocks.Takes(source.Length))
                    {
                        // A retry, like a resumed upload after a crash, stages only the blocks not staged yet.
                        await _blocks.UploadAsync(blob, source, isAsync, ct).ConfigureAwait(false);
                    }
                    else if (route == TransferRoute.Http)
                    {
                        await _blobs.UploadAsync(blob, source, isAsync, ct).ConfigureAwait(false);
                    }
                    else
                    {
                        await _pipe.UploadAsync(blob, source, workFolder, isAsync, ct).ConfigureAwait(false);
                    }
                }

                await _retry.RunAsync(Attempt, async, cancellationToken).ConfigureAwait(false);
                Telemetry.Transferred(_blobs.Clients.Usage, upload: true, route, source.Length, _time.GetElapsedTime(started));
            }
            catch (Exception ex) when (ex is AzFuseException or IOException)
            {
                Telemetry.Failed(upload: true, ex);
                return ex;
            }

            Log.Uploaded(_logger, logicalPath, source.Length, (long)_time.GetElapsedTime(started).TotalMilliseconds);
            return null;
        }
    }

    /// <summary>
    /// Uploads many files, batched by container, and tells <paramref name="settle"/> the outcome of
    /// each (null when confirmed) exactly once: a file sent by itself as soon as its upload ends, the
    /// files of an azcopy job when the job does. Never throws: a file whose upload could not be tried
    /// is settled with the cause.
    /// </summary>
    /// <remarks>
    /// Settled as they go, not once the whole batch is done: a batch can be a resume of 100,000 files,
    /// whose outcomes (two tables of them) and pending state were otherwise all held until the last
    /// upload ended, and whose journal learned of none of them until then.
    /// </remarks>
    public Task UploadManyAsync(IReadOnlyList<PendingItem> items, Action<PendingItem, Exception?> settle, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
        {
            return Task.CompletedTask;
        }

        // Most batches are one group (a resume of one cache folder): then the list itself, not a copy.
        static (string Container, string DataRoot) GroupOf(PendingItem item) => (item.Blob.Account.ContainerUri.AbsoluteUri, item.DataRoot);
        var first = GroupOf(items[0]);
        IReadOnlyList<IReadOnlyList<PendingItem>> groups = items.All(i => GroupOf(i) == first)
            ? [items]
            : items.GroupBy(GroupOf).Select(g => (IReadOnlyList<PendingItem>)g.ToList()).ToList();
        return Task.WhenAll(groups.Select(group => _planner.ForBatch(group.Count) == TransferRoute.Job
            ? UploadGroupAndSettleAsync(group, settle, cancellationToken)
            : UploadEachAsync(group, settle, cancellationToken)));
    }

    /// <summary>File by file, <see cref="TransferPlanner.HttpParallelism"/> at a time: where an azcopy job's fixed cost would dominate.</summary>
    private async Task UploadEachAsync(IReadOnlyList<PendingItem> group, Action<PendingItem, Exception?> settle, CancellationToken cancellationToken)
    {
        var settled = new bool[group.Count];
        try
        {
            await Parallel.ForAsync(0, group.Count, new ParallelOptions { MaxDegreeOfParallelism = _planner.HttpParallelism, CancellationToken = cancellationToken }, async (i, ct) =>
            {
                Exception? outcome;
                await _httpSlots.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    outcome = await UploadOneAsync(group[i], async: true, ct).ConfigureAwait(false);
                }
                finally
                {
                    _httpSlots.Release();
                }

                settled[i] = true;
                settle(group[i], outcome);
            }).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Stopped (the shutdown drain's deadline cancels) or a bug: every file not settled yet
            // learns why, so that no waiter is left behind. (Parallel.ForAsync has waited for every
            // upload it started.)
            Log.UploadLoopFailed(_logger, ex);
            for (var i = 0; i < group.Count; i++)
            {
                if (!settled[i])
                {
                    settle(group[i], ex);
                }
            }
        }
    }

    /// <summary>One azcopy job for the group; its files are settled when it ends.</summary>
    private async Task UploadGroupAndSettleAsync(IReadOnlyList<PendingItem> group, Action<PendingItem, Exception?> settle, CancellationToken cancellationToken)
    {
        Dictionary<PendingItem, Exception?> outcomes;
        try
        {
            outcomes = await UploadGroupAsync(group, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Not expected (failures come back as outcomes; cancellation aside), but no waiter may be left behind.
            Log.UploadLoopFailed(_logger, ex);
            outcomes = group.ToDictionary(item => item, _ => (Exception?)ex);
        }

        foreach (var item in group)
        {
            settle(item, outcomes.GetValueOrDefault(item));
        }
    }

    private async Task<Dictionary<PendingItem, Exception?>> UploadGroupAsync(IReadOnlyList<PendingItem> group, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var outcomes = new Dictionary<PendingItem, Exception?>();
        var account = group[0].Blob.Account;
        using var snapshot = ScratchFolder.Create(CacheLayout.UploadFolder(group[0].DataRoot), keepAbandonedFor: TimeSpan.Zero, _time);

        // Each file's snapshot is named by its blob; the name is made where it is needed, not kept
        // for every file of a batch of 100,000 while the job runs.
        string SnapshotOf(PendingItem item) => Path.Combine(snapshot.Path, item.Blob.BlobName.Replace('/', Path.DirectorySeparatorChar));
        var linked = new List<(PendingItem Item, long Length)>(group.Count);
        foreach (var item in group)
        {
            var target = SnapshotOf(item);
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                if (!NativeFiles.TryHardLink(item.Record.DataPath, target))
                {
                    File.Copy(item.Record.DataPath, target);
                }

                linked.Add((item, new FileInfo(target).Length)); // for the metrics: the snapshots go with the job
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                outcomes[item] = Errors.StagedDataMissing(item.Record.LogicalPath, item.Record.DataPath);
            }
        }

        if (linked.Count == 0)
        {
            return outcomes;
        }

        var remaining = linked.ConvertAll(l => l.Item);
        var causes = new Dictionary<PendingItem, Exception>();
        try
        {
            await _retry.RunAsync(
                async (_, ct) =>
                {
                    var partial = await _job.UploadAsync(account, remaining[0].Blob, snapshot.Path, remaining.Count, CacheLayout.AzCopyFolder(group[0].Record.CacheRoot), async: true, ct).ConfigureAwait(false);
                    if (partial is null)
                    {
                        remaining.ForEach(r => outcomes[r] = null);
                        remaining.Clear();
                        return;
                    }

                    // Some files failed: find out which, and try again with only those.
                    await ConfirmEachAsync(remaining, SnapshotOf, causes, ct).ConfigureAwait(false);
                    foreach (var done in remaining.Where(r => !causes.ContainsKey(r)))
                    {
                        outcomes[done] = null;
                        File.Delete(SnapshotOf(done));
                    }

                    remaining.RemoveAll(r => !causes.ContainsKey(r));

                    if (remaining.Count > 0)
                    {
                        throw Errors.AzCopyUploadJobFailed(account, partial);
                    }
                },
                async: true,
                cancellationToken).ConfigureAwait(false);
        }
        catch (AzFuseException ex)
        {
            foreach (var item in remaining)
            {
                outcomes[item] = causes.GetValueOrDefault(item) ?? ex;
            }
        }

        Telemetry.Transferred(_blobs.Clients.Usage, upload: true, TransferRoute.Job, linked.Where(l => outcomes.GetValueOrDefault(l.Item) is null).Sum(l => l.Length), _time.GetElapsedTime(started));
        Telemetry.Failed(upload: true, outcomes.Count(o => o.Value is not null));
        Log.BatchUploaded(_logger, group.Count - remaining.Count, account.ContainerName, (long)_time.GetElapsedTime(started).TotalMilliseconds);
        return outcomes;
    }

    private async Task ConfirmEachAsync(List<PendingItem> files, Func<PendingItem, string> snapshotOf, Dictionary<PendingItem, Exception> causes, CancellationToken cancellationToken)
    {
        var results = new Exception?[files.Count];
        await Parallel.ForAsync(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = _planner.HttpParallelism, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var item = files[i];
            var snapshot = snapshotOf(item);
            try
            {
                byte[] md5;
                long length;
                var file = File.OpenRead(snapshot);
                await using (file.ConfigureAwait(false))
                {
                    length = file.Length;
                    md5 = await MD5.HashDataAsync(file, ct).ConfigureAwait(false);
                }

                await UploadConfirmation.ConfirmAsync(_blobs, item.Blob, length, md5, async: true, ct).ConfigureAwait(false);
            }
            catch (AzFuseException ex)
            {
                results[i] = ex;
            }
        }).ConfigureAwait(false);

        for (var i = 0; i < files.Count; i++)
        {
            if (results[i] is { } cause)
            {
                causes[files[i]] = cause;
            }
            else
            {
                causes.Remove(files[i]);
            }
        }
    }
}
