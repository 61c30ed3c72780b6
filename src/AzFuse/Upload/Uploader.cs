using AzFuse.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AzFuse.Upload;

/// <summary>
/// Keeps track of every pending upload of the process, by blob, and runs them: synchronous
/// writes upload on the caller's thread; writes in an AsyncUpload scope are queued for one
/// background loop that takes everything queued at once, so that while one azcopy run is busy
/// the next batch gathers. Two uploads of one blob never overlap, so the newest content is
/// always the last to arrive.
/// </summary>
internal sealed partial class Uploader
{
    private const int Stripes = 64;

    private readonly object _gate = new();
    private readonly Dictionary<PendingKey, KeyState> _states = [];
    private readonly List<PendingKey> _queue = [];
    private readonly SemaphoreSlim _signal = new(0);
    private readonly object[] _stripes = Enumerable.Range(0, Stripes).Select(_ => new object()).ToArray();
    private readonly UploadTransfers _transfers;
    private readonly ILogger _logger;
    private readonly Action<PendingUpload> _uploaded;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ShutdownDrain _drain;
    private readonly SemaphoreSlim _batchSlots;
    private Task? _loop;

    // The bytes of the newest content of every blob with a write not uploaded yet, and who waits
    // for that to shrink (writers held back by MaxPendingUploadBytes). Both under _gate.
    private long _pendingBytes;
    private TaskCompletionSource? _room;

    // uploaded: told of each confirmed upload (the newest write it covered), so that the cache
    // file's record can stop saying "not uploaded".
    public Uploader(UploadTransfers transfers, ILogger logger, Action<PendingUpload> uploaded, TimeSpan shutdownDeadline, TimeProvider time)
    {
        _transfers = transfers;
        _logger = logger;
        _uploaded = uploaded;
        _batchSlots = new SemaphoreSlim(transfers.BatchesAtOnce);
        _drain = new ShutdownDrain(this, shutdownDeadline, time, logger);
    }

    /// <summary>
    /// The lock that orders everything touching one blob's local content: a writer's rename and
    /// record, and the removal of staged content after an upload. (Striped, so it costs no
    /// per-blob allocation and cannot be removed while someone holds it.)
    /// </summary>
    public object LockFor(PendingKey key) => _stripes[(int)((uint)key.GetHashCode() % Stripes)];

    /// <summary>Registers a journaled write; the ticket completes when an upload covering it is confirmed or has failed.</summary>
    public UploadTicket Register(PendingItem item)
    {
        var ticket = new UploadTicket(item);
        Register(item, ticket);
        return ticket;
    }

    /// <summary>Registers a journaled write that no one waits for yet (adopted from an earlier run).</summary>
    public void RegisterUntracked(PendingItem item) => Register(item, ticket: null);

    /// <summary>Makes room for <paramref name="count"/> more blobs at once, before registering as many (a resume): the table does not grow step by step, leaving each smaller copy behind.</summary>
    public void ExpectMore(int count)
    {
        lock (_gate)
        {
            _states.EnsureCapacity(_states.Count + count);
        }
    }

    private void Register(PendingItem item, UploadTicket? ticket)
    {
        var length = LengthOf(item);
        lock (_gate)
        {
            if (!_states.TryGetValue(item.Key, out var state))
            {
                state = new KeyState(item) { Bytes = length };
                _states.Add(item.Key, state);
                _pendingBytes += length;
            }
            else if (state.Records.Count == 0 || item.IsNewerThan(state.Latest))
            {
                // Latest is always one of the pending records: an older record adopted after the
                // newest was uploaded is the newest pending content then.
                state.Latest = item;
                _pendingBytes += length - (state.Records.Count == 0 ? 0 : state.Bytes);
                state.Bytes = length;
            }

            state.Records.Add(item);
            if (ticket is not null)
            {
                state.Tickets.Add(ticket);
            }
        }
    }

    /// <summary>Whether any write of this process is not uploaded yet.</summary>
    public bool HasPending
    {
        get
        {
            lock (_gate)
            {
                return _states.Values.Any(s => s.Records.Count > 0);
            }
        }
    }

    /// <summary>How many blobs have written content not uploaded yet.</summary>
    public long PendingFiles
    {
        get
        {
            lock (_gate)
            {
                return _states.Values.Count(s => s.Records.Count > 0);
            }
        }
    }

    /// <summary>The bytes of content written and not uploaded yet (the newest of each blob).</summary>
    public long PendingBytes
    {
        get
        {
            lock (_gate)
            {
                return _pendingBytes;
            }
        }
    }

    /// <summary>Hands the blob's pending content to the background loop.</summary>
    public void Enqueue(PendingKey key)
    {
        lock (_gate)
        {
            if (_states.TryGetValue(key, out var state) && !state.Queued)
            {
                state.Queued = true;
                QueueIfIdle(key, state);
            }

            _loop ??= Task.Run(RunLoopAsync);
        }

        _drain.EnsureRegistered();
        _signal.Release();
    }

    /// <summary>
    /// A ticket for the newest write of every blob with pending content (failed earlier, adopted,
    /// queued or uploading now), each queued for the background loop: resuming waits on these.
    /// All are queued under one lock, with one wake-up of the loop, not one of each per blob.
    /// </summary>
    public UploadTicketGroup QueueAllPending()
    {
        UploadTicketGroup group;
        lock (_gate)
        {
            group = new UploadTicketGroup(capacity: _states.Count);
            _queue.EnsureCapacity(_queue.Count + _states.Count);
            foreach (var (key, state) in _states)
            {
                if (state.Records.Count == 0)
                {
                    continue;
                }

                state.Tickets.Add(group.Add(state.Latest));
                if (!state.Queued)
                {
                    state.Queued = true;
                    QueueIfIdle(key, state);
                }
            }

            if (group.Tickets.Count > 0)
            {
                _loop ??= Task.Run(RunLoopAsync);
            }
        }

        group.Seal();
        if (group.Tickets.Count > 0)
        {
            _drain.EnsureRegistered();
            _signal.Release();
        }

        return group;
    }

    /// <summary>Uploads the ticket's blob on the calling thread (after any upload of it already running).</summary>
    public async ValueTask<TransferFailure?> UploadNowAsync(UploadTicket ticket, bool async, CancellationToken cancellationToken)
    {
        var key = ticket.Item.Key;
        while (!ticket.IsCompleted)
        {
            Task? busy = null;
            PendingItem? latest = null;
            lock (_gate)
            {
                if (ticket.IsCompleted)
                {
                    break;
                }

                var state = _states[key];
                if (state.InFlight)
                {
                    // An upload of this blob is running; it may already include this write.
                    state.Idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    busy = state.Idle.Task;
                }
                else
                {
                    state.InFlight = true;
                    latest = state.Latest;
                }
            }

            if (busy is not null)
            {
                if (async)
                {
                    await busy.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    busy.Wait(cancellationToken);
                }

                continue;
            }

            Exception? outcome;
            using var activity = Telemetry.Start("azfuse.upload", latest!.Record.LogicalPath, files: 1);
            try
            {
                outcome = await _transfers.UploadOneAsync(latest!, async, cancellationToken).ConfigureAwait(false);
                if (outcome is null)
                {
                    Telemetry.Succeeded(activity);
                }
            }
            catch (Exception ex)
            {
                // Cancellation or a bug: the ticket must still complete, never leave a waiter hanging.
                outcome = ex;
            }

            Finish(key, latest!, outcome);
        }

        return async ? await ticket.Completion.ConfigureAwait(false) : ticket.Completion.GetAwaiter().GetResult();
    }

    /// <summary>
    /// Settles an upload of <paramref name="uploaded"/>'s content. The file sent was at least that
    /// new, so it stands for every write of the blob that is not newer: on success their records
    /// are completed and their staged copies removed (unless a newer write reuses the path); on
    /// failure their waiters learn why and the records stay.
    /// </summary>
    private void Finish(PendingKey key, PendingItem uploaded, Exception? failure)
    {
        // Content that cannot come back (staged files lost with a reboot) is reported once and its
        // records dropped, or every later resume would fail on it again.
        var settled = failure is null || failure is AzFuseException { IsContentMissing: true };
        var staleData = new List<string>();
        var wakeLoop = false;

        lock (LockFor(key))
        {
            // First the durable state: the journal and the cache file's record. Only then do waiters
            // learn the outcome, so that whoever waited (a scope, a resume) finds the write settled
            // everywhere; no writer of this blob can commit meanwhile (it needs the blob's lock).
            List<PendingItem> done;
            lock (_gate)
            {
                done = settled ? [.. _states[key].Records.Items.Where(r => !r.IsNewerThan(uploaded))] : [];
            }

            foreach (var group in done.GroupBy(d => d.Journal))
            {
                group.Key.Complete([.. group.Select(d => d.Record.Id)]);
            }

            if (failure is null)
            {
                _uploaded(uploaded.Record);
            }

            lock (_gate)
            {
                var state = _states[key];
                state.InFlight = false;
                state.Idle?.TrySetResult();
                state.Idle = null;

                foreach (var ticket in state.Tickets.RemoveWhere(t => !t.Item.IsNewerThan(uploaded)))
                {
                    ticket.Complete(failure);
                }

                if (settled)
                {
                    state.Records.RemoveWhere(r => !r.IsNewerThan(uploaded));
                    if (state.Records.Count == 0)
                    {
                        _pendingBytes -= state.Bytes;
                    }
                    var stillUsed = state.Records.Items.Select(r => r.Record.DataPath).ToHashSet(StringComparer.Ordinal);
                    staleData.AddRange(done.Where(d => d.Record.Staged && !stillUsed.Contains(d.Record.DataPath)).Select(d => d.Record.DataPath).Distinct());
                }

                RemoveIfIdle(key, state);
                wakeLoop = state.Queued && QueueIfIdle(key, state);

                // Room made, or a running upload ended (so a held-back writer may stop waiting).
                _room?.TrySetResult();
                _room = null;
            }

            // Under the blob's lock, so no writer can rename new content into a path being removed.
            staleData.ForEach(Cache.CacheCommit.DeleteQuietly);
        }

        if (failure is not null)
        {
            Log.UploadFailed(_logger, uploaded.Record.LogicalPath, failure);
        }

        if (wakeLoop)
        {
            _signal.Release();
        }
    }

    /// <summary>
    /// Puts a blob marked queued into the loop's queue unless an upload of it is running (Finish puts
    /// it in then) or it is there already. Kept in the queue while in flight, a blob was passed over
    /// again by every batch started meanwhile: a resume of 100,000 files queues each one while the
    /// start-up resume uploads it, and the batches that followed each scanned the 100,000 (quadratic:
    /// minutes of one core before the first of them uploaded anything). Call under the gate.
    /// </summary>
    /// <returns>Whether it was put in.</returns>
    private bool QueueIfIdle(PendingKey key, KeyState state)
    {
        if (state.InFlight || state.InQueue)
        {
            return false;
        }

        state.InQueue = true;
        _queue.Add(key);
        return true;
    }

    /// <summary>Forgets a blob with nothing pending, no waiter and no upload queued or running. Call under the gate.</summary>
    private void RemoveIfIdle(PendingKey key, KeyState state)
    {
        if (state.Records.Count == 0 && state.Tickets.Count == 0 && !state.Queued && !state.InFlight)
        {
            _states.Remove(key);
        }
    }

    private static long LengthOf(PendingItem item)
    {
        try
        {
            return new FileInfo(item.Record.DataPath).Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0; // gone: an upload will say so
        }
    }
}
