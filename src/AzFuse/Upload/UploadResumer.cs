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
    /// skips and the blobs it uploads are reported by the next call of <see cref="ResumeAsync"/>.
    /// </summary>
    /// <param name="failed">Told why, when it fails (what failed stays pending).</param>
    public void StartInBackground(Action<Exception> failed) =>
        _background = Task.Run(async () =>
        {
            try
            {
                return await ResumeAsync(async: true, CancellationToken.None, reportSkipped: false).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                failed(ex);
                return 0; // what failed stays pending: the next call uploads it, and counts it then
            }
        });

    /// <summary>Adopts abandoned records and uploads every pending write, newest content per blob.</summary>
    /// <param name="async">Whether to wait asynchronously.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <param name="reportSkipped">Whether journal lines skipped by this or an earlier (background) resume are reported in the exception; the start-up resume leaves them for the next call.</param>
    /// <returns>How many blobs were uploaded, by this call and (when <paramref name="reportSkipped"/>) by the start-up resume before it.</returns>
    /// <exception cref="AzFuseTransferException">Some could not be uploaded (they stay pending), or journal lines were skipped (they are reported once).</exception>
    public async ValueTask<int> ResumeAsync(bool async, CancellationToken cancellationToken, bool reportSkipped = true)
    {
        var uploadedBefore = 0;
        if (reportSkipped && Volatile.Read(ref _background) is { } background)
        {
            var count = async
                ? await background.WaitAsync(cancellationToken).ConfigureAwait(false)
                : background.WaitAsync(cancellationToken).GetAwaiter().GetResult();

            // Taken once: two calls at the same time do not both report it.
            uploadedBefore = Interlocked.CompareExchange(ref _background, null, background) == background ? count : 0;
        }

        using var activity = Telemetry.Start("azfuse.resume");
        var failures = new List<TransferFailure>();
        var skipped = new List<TransferFailure>();
        List<UploadTicket> tickets;
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
            AdoptAbandoned(failures);
            tickets = _uploader.QueueAllPending();
            if (reportSkipped)
            {
                skipped.AddRange(_skipped);
                _skipped.Clear();
            }
        }
        finally
        {
            _adopting.Release();
        }

        // One ticket at a time: Task.WhenAll over 100,000 tickets hangs a continuation on each.
        foreach (var ticket in tickets)
        {
            var outcome = async
                ? await ticket.Completion.WaitAsync(cancellationToken).ConfigureAwait(false)
                : ticket.Completion.WaitAsync(cancellationToken).GetAwaiter().GetResult();
            if (outcome is not null)
            {
                failures.Add(outcome);
            }
        }

        Telemetry.SetFiles(activity, tickets.Count);
        if (skipped.Count > 0)
        {
            throw Errors.ResumeSkippedRecords(uploadedBefore + tickets.Count - failures.Count, failures, skipped);
        }

        if (failures.Count > 0)
        {
            throw Errors.UploadsFailed(failures);
        }

        Telemetry.Succeeded(activity);
        return uploadedBefore + tickets.Count;
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
            ScratchFolder.PruneAbandoned(CacheLayout.UploadFolder(root));
            ScratchFolder.PruneAbandoned(CacheLayout.UploadFolder(_shm.RootOf(root)));
            var journal = _pending.JournalFor(root);
            foreach (var record in adopted)
            {
                StorageAccount account;
                try
                {
                    account = _accounts.Get(record.StorageAccount, new MountMapping(string.Empty, string.Empty, root, record.StorageAccount, $"the pending upload of '{record.LogicalPath}'", 0));
                }
                catch (Exception ex) when (ex is AzFuseConfigurationException or ArgumentException or IOException)
                {
                    // This record only: the others are registered all the same.
                    failures.Add(new TransferFailure(record.LogicalPath, ex));
                    continue;
                }

                var dataRoot = record.Staged ? _shm.RootOf(root) : root;
                _uploader.RegisterUntracked(new PendingItem(record, new BlobLocation(account, record.BlobName), journal, dataRoot));
            }
        }
    }
}
