using System.Diagnostics;
using AzFuse.Diagnostics;

namespace AzFuse.Upload;

/// <summary>The background loop that runs queued uploads as overlapping batches.</summary>
internal sealed partial class Uploader
{
    private async Task RunLoopAsync()
    {
        // The loop serves every writer: its batches' activities are roots, not children of whatever
        // activity was current when the first write happened to start it (Task.Run flows that).
        //
        // Batches overlap: a writer closing one small file after another would otherwise have each
        // wait for the whole batch before it (one upload in flight at a time, however many slots
        // there are). A new batch starts as soon as something is queued and fewer batches than
        // upload slots are running; UploadTransfers bounds the requests in flight across batches.
        // What is queued while every slot is busy makes one larger batch, which may go to azcopy.
        Activity.Current = null;
        while (true)
        {
            await _signal.WaitAsync().ConfigureAwait(false);
            await _batchSlots.WaitAsync().ConfigureAwait(false);
            _ = RunBatchInSlotAsync();
        }
    }

    private async Task RunBatchInSlotAsync()
    {
        try
        {
            await RunBatchAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A bug here must not end the loop: every later scope would wait for it forever.
            Log.UploadLoopFailed(_logger, ex);
        }
        finally
        {
            _batchSlots.Release();
        }
    }

    /// <summary>Uploads everything queued that no upload is working on yet, and settles it.</summary>
    private async Task RunBatchAsync()
    {
        List<PendingItem> batch;
        lock (_gate)
        {
            batch = new List<PendingItem>(_queue.Count);
            // One pass, then a Clear: a queue can hold a whole dataset's worth of files.
            foreach (var key in _queue)
            {
                var state = _states[key];
                state.InQueue = false;
                if (state.InFlight)
                {
                    // Started since it was queued (UploadNowAsync, a direct upload): it stays marked
                    // queued, and Finish puts it back in the queue once that upload ends.
                    continue;
                }

                state.Queued = false;
                if (state.Records.Count == 0)
                {
                    // An upload that finished meanwhile took everything there was.
                    RemoveIfIdle(key, state);
                    continue;
                }

                state.InFlight = true;
                batch.Add(state.Latest);
            }

            _queue.Clear();
        }

        if (batch.Count == 0)
        {
            return;
        }

        // Each file is settled as its upload ends (see UploadTransfers.UploadManyAsync).
        var failed = 0;
        using var activity = Telemetry.Start("azfuse.upload", files: batch.Count);
        await _transfers.UploadManyAsync(
            batch,
            (latest, outcome) =>
            {
                if (outcome is not null)
                {
                    Interlocked.Increment(ref failed);
                }

                Finish(latest.Key, latest, outcome);
            },
            _shutdown.Token).ConfigureAwait(false);
        Telemetry.Succeeded(activity, Volatile.Read(ref failed) > 0 ? "partial" : "ok");
    }
}
