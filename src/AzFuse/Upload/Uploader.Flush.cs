namespace AzFuse.Upload;

/// <content>Waiting on the queue: a writer waiting for room (MaxPendingUploadBytes), and a flush by a deadline (FlushUploads, the shutdown drain).</content>
internal sealed partial class Uploader
{
    /// <summary>
    /// Waits while more than <paramref name="limit"/> bytes wait for upload and uploads are under way
    /// that can make room: a writer that outruns the uploads is held back instead of filling the
    /// disk or shared memory. Returns at once when nothing queued or running could make room (the
    /// rest failed and waits for a resume).
    /// </summary>
    public async ValueTask WaitForRoomAsync(long limit, bool async, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task room;
            lock (_gate)
            {
                if (_pendingBytes <= limit || !_states.Values.Any(s => s.Queued || s.InFlight))
                {
                    return;
                }

                _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                room = _room.Task;
            }

            if (async)
            {
                await room.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                room.Wait(cancellationToken);
            }
        }
    }

    /// <summary>
    /// Uploads every write of this process not uploaded yet (queued, running, or failed before) and
    /// waits for them, at most <paramref name="deadline"/>. With <paramref name="stopAfterDeadline"/>
    /// (the process is ending), what still runs then is stopped: its content and records stay.
    /// </summary>
    /// <returns>How many were uploaded, and the logical paths of those that were not (still recorded for a resume).</returns>
    public async ValueTask<UploadFlushResult> FlushAsync(TimeSpan deadline, bool stopAfterDeadline, bool async, CancellationToken cancellationToken)
    {
        if (deadline < TimeSpan.Zero && deadline != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(deadline), deadline, "The deadline must not be negative (Timeout.InfiniteTimeSpan waits for all).");
        }

        var queued = QueueAllPending();
        var all = queued.Completion;
        try
        {
            if (async)
            {
                await all.WaitAsync(deadline, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                all.Wait(deadline, cancellationToken);
            }
        }
        catch (TimeoutException)
        {
            // Reported below, by name.
        }

        if (stopAfterDeadline && !all.IsCompleted)
        {
            if (async)
            {
                await _shutdown.CancelAsync().ConfigureAwait(false);
            }
            else
            {
                _shutdown.Cancel();
            }
        }

        var notUploaded = queued.Tickets.Where(t => !t.IsCompleted || t.Failure is not null).Select(t => t.Item.Record.LogicalPath).ToList();
        return new UploadFlushResult(queued.Tickets.Count - notUploaded.Count, notUploaded);
    }
}
