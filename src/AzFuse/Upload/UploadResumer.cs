using AzFuse.Cache;
using AzFuse.Configuration;
using AzFuse.Diagnostics;
using AzFuse.IO;
using AzFuse.Remote;
using Microsoft.Extensions.Logging;

namespace AzFuse.Upload;

/// <summary>
/// Uploads what earlier runs left pending: the journals of processes that are gone (crashed,
/// killed, or ended with failed uploads), and this process's own failed uploads.
/// </summary>
internal sealed class UploadResumer
{
    private readonly PendingStore _pending;
    private readonly Uploader _uploader;
    private readonly StorageAccountLoader _accounts;
    private readonly SharedMemoryStaging _shm;
    private readonly IReadOnlyList<string> _cacheRoots;
    private readonly ILogger _logger;

    // Adoption and registration happen as one step per resume: otherwise a resume that finds the
    // journals already taken by the start-up resume, but their records not registered yet, would
    // see nothing pending and return while the uploads are still to come.
    private readonly SemaphoreSlim _adopting = new(1, 1);

    // Journal lines skipped while adopting (logged at once), kept for the next ResumePendingUploads
    // to report: the start-up resume runs in the background and reports to no one.
    private readonly List<TransferFailure> _skipped = [];

    // Records the start-up resume adopted but could not register (their account could not be
    // loaded), for the next ResumePendingUploads to report: it would not see them otherwise.
    private readonly List<TransferFailure> _unreported = [];

    // The start-up resume, while no ResumePendingUploads has taken its count: a call waits for it
    // first and reports the blobs it uploaded as its own. Otherwise a call made as the start-up
    // resume finished would find nothing pending and say 0, with every upload done.
    private Task<int>? _background;

    public UploadResumer(PendingStore pending, Uploader uploader, StorageAccountLoader accounts, SharedMemoryStaging shm, IReadOnlyList<string> cacheRoots, ILogger logger)
    {
        _pending = pending;
        _uploader = uploader;
        _accounts = accounts;
        _shm = shm;
        _cacheRoots = cacheRoots;
        _logger = logger;
    }

    /// <summary>Whether any cache root has records of a process that is gone (a cheap check at start-up).</summary>
    public bool HasAbandoned() => _cacheRoots.Any(_pending.HasAbandoned);

    /// <summary>
    /// Starts the start-up resume in the background (see <see cref="ResumeAsync"/>): journal lines it
    /// skips, records it could not register and the blobs it uploads are reported by the next call
    /// of <see cref="ResumeAsync"/>.
    /// </summary>
    /// <param name="failed">Told why, when it fails (what failed stays pending).</param>
    public void StartInBackground(Action<Exception> failed) =>
        _background = Task.Run(async () =>
        {
            try
            {
                var outcome = await RunAsync(async: true, CancellationToken.None, startUp: true).ConfigureAwait(false);
                if (outcome.Failures.Count > 0)
                {
                    failed(Errors.UploadsFailed(outcome.Failures));
                }

                // What did upload is counted even when some did not: those stay pending, and the
                // next call uploads them and counts them then.
                return outcome.Uploaded;
            }
            catch (Exception ex)
            {
                failed(ex);
                return 0;
            }
        });

    /// <summary>Adopts abandoned records and uploads every pending write, newest content per blob.</summary>
    /// <param name="async">Whether to wait asynchronously.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>How many blobs were uploaded, by this call and by the start-up resume before it.</returns>
    /// <exception cref="AzFuseTransferException">
    /// Some could not be uploaded (they stay pending), or journal lines were skipped (they are
    /// reported once), by this call or by the start-up resume before it.
    /// </exception>
    public async ValueTask<int> ResumeAsync(bool async, CancellationToken cancellationToken)
    {
        var uploadedBefore = 0;
        if (Volatile.Read(ref _background) is { } background)
        {
            var count = async
                ? await background.WaitAsync(cancellationToken).ConfigureAwait(false)
                : background.WaitAsync(cancellationToken).GetAwaiter().GetResult();

            // Taken once: two calls at the same time do not both report it.
            uploadedBefore = Interlocked.CompareExchange(ref _background, null, background) == background ? count : 0;
        }

        using var activity = Telemetry.Start("azfuse.resume");
        var outcome = await RunAsync(async, cancellationToken, startUp: false).ConfigureAwait(false);
        var uploaded = uploadedBefore + outcome.Uploaded;
        Telemetry.SetFiles(activity, outcome.Uploaded);
        if (outcome.Skipped.Count > 0)
        {
            throw Errors.ResumeSkippedRecords(uploaded, outcome.Failures, outcome.Skipped);
        }

        if (outcome.Failures.Count > 0)
        {
            throw Errors.UploadsFailed(outcome.Failures);
        }

        Telemetry.Succeeded(activity);
        return uploaded;
    }

    /// <summary>
    /// One resume: adopts, registers, uploads everything pending and waits for it. The start-up
    /// resume (<paramref name="startUp"/>) keeps what it skipped and the records it could not
    /// register for the next call to report (it reports to no one); a call takes those over.
    /// </summary>
    private async ValueTask<Outcome> RunAsync(bool async, CancellationToken cancellationToken, bool startUp)
    {
        var unregistered = new List<TransferFailure>();
        List<TransferFailure> skipped = [];
        UploadTicketGroup queued;
        if (async)
        {
            await _adopting.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _adopting.Wait(cancellationToken);
        }

        try
        {
            AdoptAbandoned(unregistered);
            queued = _uploader.QueueAllPending();
            if (startUp)
            {
                _unreported.AddRange(unregistered);
            }
            else
            {
                skipped.AddRange(_skipped);
                _skipped.Clear();
                unregistered.InsertRange(0, _unreported);
                _unreported.Clear();
            }
        }
        finally
        {
            _adopting.Release();
        }

        if (async)
        {
            await queued.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            queued.Completion.WaitAsync(cancellationToken).GetAwaiter().GetResult();
        }

        // Records that could not be registered were never queued: only the queue's failures are
        // taken from what it uploaded.
        var failures = new List<TransferFailure>(unregistered.Count + queued.Failures.Count);
        failures.AddRange(unregistered);
        failures.AddRange(queued.Failures);
        return new Outcome(queued.Tickets.Count - queued.Failures.Count, failures, skipped);
    }

    /// <summary>Takes over the records of processes that are gone and registers them with the uploader.</summary>
    private void AdoptAbandoned(List<TransferFailure> failures)
    {
        foreach (var root in _cacheRoots)
        {
            var (adopted, skipped) = _pending.AdoptAbandoned(root);
            foreach (var problem in skipped)
            {
                Log.JournalLineSkipped(_logger, problem.Journal, problem.Line, problem.Reason, problem.Excerpt);
                _skipped.Add(new TransferFailure($"{problem.Journal}:{problem.Line}", Errors.PendingRecordSkipped(problem)));
            }

            if (adopted.Count == 0)
            {
                continue;
            }

            Log.ResumingUploads(_logger, adopted.Count, root);

            // A dead process may have left the hard-linked snapshots of a batch it was uploading.
            // Only the next batch upload into the same folder would prune them, and a resume of a
            // few files goes over HTTP; in shared memory they would hold RAM until a reboot.
            var stagingRoot = _shm.RootOf(root);
            ScratchFolder.PruneAbandoned(CacheLayout.UploadFolder(root));
            ScratchFolder.PruneAbandoned(CacheLayout.UploadFolder(stagingRoot));
            var journal = _pending.JournalFor(root);
            _uploader.ExpectMore(adopted.Count);

            // Looked up once per account name, not once per record (each look-up built a mapping and
            // a message for it): a resume may adopt 100,000 records of one account.
            var accounts = new Dictionary<string, (StorageAccount? Account, Exception? Failure)>(StringComparer.Ordinal);
            foreach (var record in adopted)
            {
                if (!accounts.TryGetValue(record.StorageAccount, out var found))
                {
                    try
                    {
                        found = (_accounts.Get(record.StorageAccount, new MountMapping(string.Empty, string.Empty, root, record.StorageAccount, $"the pending upload of '{record.LogicalPath}'", 0)), null);
                    }
                    catch (Exception ex) when (ex is AzFuseConfigurationException or ArgumentException or IOException)
                    {
                        // A failed load is kept by the loader: no later call of this process can
                        // register the record, which is now in this process's journal (see the message).
                        found = (null, Errors.PendingAccountNotLoaded(record.StorageAccount, ex));
                    }

                    accounts[record.StorageAccount] = found;
                }

                if (found.Account is not { } account)
                {
                    // This record only: the others are registered all the same.
                    failures.Add(new TransferFailure(record.LogicalPath, found.Failure!));
                    continue;
                }

                var dataRoot = record.Staged ? stagingRoot : root;
                _uploader.RegisterUntracked(new PendingItem(record, new BlobLocation(account, record.BlobName), journal, dataRoot));
            }
        }
    }

    /// <summary>What one resume did: the blobs it uploaded, what failed (and stays pending), and the journal lines skipped.</summary>
    private readonly record struct Outcome(int Uploaded, List<TransferFailure> Failures, List<TransferFailure> Skipped);
}
