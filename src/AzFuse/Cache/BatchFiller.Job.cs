using AzFuse.Diagnostics;
using AzFuse.IO;
using AzFuse.Paths;
using AzFuse.Transfer;

namespace AzFuse.Cache;

/// <content>The azcopy-job route of a batch: the job's claims, the job, and what did not arrive explained.</content>
internal sealed partial class BatchFiller
{
    private async ValueTask<IReadOnlyList<TransferFailure>> FillGroupAsync(List<ResolvedPath> group, ISet<string> replacing, ProgressCounter? counter, bool async, CancellationToken cancellationToken)
    {
        if (_planner.ForBatch(group.Count) == TransferRoute.Http)
        {
            return await FillEachAsync(group, replacing, counter, async, cancellationToken).ConfigureAwait(false);
        }

        // Two logical paths for one blob (overlapping mappings) cannot share one staged file;
        // the rare extra ones are filled singly afterwards.
        var root = group[0].CacheRoot;
        var account = group[0].Blob.Account;
        var failures = new List<TransferFailure>();

        // What another job is fetching is left to it; this job claims the rest for its whole run.
        var claims = await JobClaims.ClaimAsync(root, group, _lockTimeout, _time, async, cancellationToken).ConfigureAwait(false);
        var (batch, extras) = SplitRepeatedBlobs(claims.Mine);
        if (batch.Count == 0)
        {
            claims.Dispose();
        }
        else
        {
            _fills.Begin(root);
            using (claims)
            using (var staging = ScratchFolder.Create(CacheLayout.StagingFolder(root), keepAbandonedFor: TimeSpan.Zero, _time))
            {
                JobOutcome outcome;
                var job = counter?.ForJob();
                var jobStarted = _time.GetTimestamp();
                try
                {
                    var names = batch.Select(p => p.Blob.BlobName);
                    var workFolder = CacheLayout.AzCopyFolder(root);
                    outcome = await _retry.RunAsync((isAsync, ct) => _job.DownloadAsync(account, names, staging.Path, workFolder, isAsync, ct, job is null ? null : s => job.Update(s.TransfersCompleted, s.TotalBytesTransferred)), async, cancellationToken).ConfigureAwait(false);
                }
                catch (AzFuseException ex)
                {
                    Telemetry.Failed(upload: false, ex, claims.Mine.Count);
                    return claims.Mine.Select(p => new TransferFailure(p.LogicalPath, ex)).ToList();
                }

                // What arrived, by its place in the batch; each staged file's name is made again where
                // it is needed rather than 100,000 of them kept to the end of the job.
                string Staged(int i) => Path.Combine(staging.Path, batch[i].Blob.BlobName.Replace('/', Path.DirectorySeparatorChar));
                var arrived = new List<int>();
                var absent = new List<ResolvedPath>();
                for (var i = 0; i < batch.Count; i++)
                {
                    if (File.Exists(Staged(i)))
                    {
                        arrived.Add(i);
                    }
                    else
                    {
                        absent.Add(batch[i]);
                    }
                }

                _fills.Complete(root, arrived.Select(Staged));

                // A job reports sizes only once done: the room is made now, before the files count.
                var sizes = arrived.ConvertAll(i => new FileInfo(Staged(i)).Length);
                await _space.ReserveAsync(root, sizes.Sum(), async, cancellationToken, ownStaging: staging.Path).ConfigureAwait(false);
                for (var k = 0; k < arrived.Count; k++)
                {
                    if (!Commit(batch[arrived[k]], Staged(arrived[k]), blob: null, replacing))
                    {
                        _space.Adjust(root, -sizes[k]);
                    }
                }

                // azcopy's last progress message may come before its last file: settle on what arrived.
                job?.Update(arrived.Count, sizes.Sum());
                Telemetry.Transferred(_blobs.Clients.Usage, upload: false, TransferRoute.Job, sizes.Sum(), _time.GetElapsedTime(jobStarted));
                Log.BatchDownloaded(_logger, arrived.Count, account.ContainerName, outcome.Summary.TotalBytesTransferred);
                failures.AddRange(await ExplainAbsentAsync(absent, outcome, async, cancellationToken).ConfigureAwait(false));
            }
        }

        // The files other jobs claimed: once those jobs are done, whatever they did not fetch.
        if (claims.Others.Count > 0)
        {
            await claims.WaitForOthersAsync(_lockTimeout, _time, async, cancellationToken).ConfigureAwait(false);
            extras.AddRange(claims.Others);
        }

        if (extras.Count > 0)
        {
            failures.AddRange(await FillEachAsync(extras, replacing, counter, async, cancellationToken).ConfigureAwait(false));
        }

        return failures;
    }

    /// <summary>
    /// The paths whose blobs this job fetches (the first path of each blob), and the rest: two logical
    /// paths of one blob (overlapping mappings) cannot share one staged file. Usually there is no
    /// rest, and the claimed list itself is the batch.
    /// </summary>
    private static (IReadOnlyList<ResolvedPath> Batch, List<ResolvedPath> Extras) SplitRepeatedBlobs(IReadOnlyList<ResolvedPath> paths)
    {
        var names = new HashSet<string>(paths.Count, StringComparer.Ordinal);
        List<ResolvedPath>? batch = null;
        var extras = new List<ResolvedPath>();
        for (var i = 0; i < paths.Count; i++)
        {
            if (names.Add(paths[i].Blob.BlobName))
            {
                batch?.Add(paths[i]);
            }
            else
            {
                batch ??= [.. paths.Take(i)];
                extras.Add(paths[i]);
            }
        }

        return (batch ?? paths, extras);
    }

    /// <summary>
    /// azcopy skips a blob it cannot find and still exits 0, so each file that did not arrive is
    /// probed with one HEAD: a 404 becomes a FileNotFoundException naming the file; anything else
    /// keeps azcopy's own reason.
    /// </summary>
    private async ValueTask<IReadOnlyList<TransferFailure>> ExplainAbsentAsync(List<ResolvedPath> absent, JobOutcome outcome, bool async, CancellationToken cancellationToken)
    {
        if (absent.Count == 0)
        {
            return [];
        }

        var failures = new TransferFailure[absent.Count];
        async ValueTask Probe(int i, CancellationToken ct)
        {
            var path = absent[i];
            Exception cause;
            try
            {
                var properties = await _blobs.GetPropertiesAsync(path.Blob, async, ct).ConfigureAwait(false);
                cause = properties is null
                    ? Errors.BlobNotFound(path.LogicalPath, path.Blob)
                    : Errors.BlobNotTransferred(path.Blob, outcome.SkipReasons.GetValueOrDefault(path.Blob.BlobName) ?? outcome.PartialFailure);
            }
            catch (AzFuseException ex)
            {
                cause = ex;
            }

            failures[i] = new TransferFailure(path.LogicalPath, cause);
        }

        await ParallelLoop.ForAsync(absent.Count, new ParallelOptions { MaxDegreeOfParallelism = _planner.HttpParallelism, CancellationToken = cancellationToken }, Probe, async).ConfigureAwait(false);

        return failures;
    }
}
