using AzFuse.Remote;

namespace AzFuse.Upload;

/// <summary>A pending upload in memory: its record, the blob it resolves to, and the journal that holds the record.</summary>
/// <param name="Record">The journaled record.</param>
/// <param name="Blob">Where it goes.</param>
/// <param name="Journal">The journal to mark it complete in.</param>
/// <param name="DataRoot">The root <see cref="PendingUpload.DataPath"/> lies under (cache root or staging root): snapshots for a batch are hard-linked there.</param>
internal sealed record PendingItem(PendingUpload Record, BlobLocation Blob, UploadJournal Journal, string DataRoot)
{
    public string Key => Record.Key;

    /// <summary>Whether this record's content replaces <paramref name="other"/>'s: the later write wins.</summary>
    public bool IsNewerThan(PendingItem other) =>
        Record.Written != other.Record.Written ? Record.Written > other.Record.Written : Record.Id > other.Record.Id;
}

/// <summary>
/// A caller's claim on one write's upload: completes when an upload that includes the write is
/// confirmed (with <see langword="null"/>) or has finally failed (with the failure).
/// </summary>
internal sealed class UploadTicket
{
    private readonly TaskCompletionSource<TransferFailure?> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public UploadTicket(PendingItem item)
    {
        Item = item;
    }

    public PendingItem Item { get; }

    public Task<TransferFailure?> Completion => _done.Task;

    public void Complete(Exception? failure) =>
        _done.TrySetResult(failure is null ? null : new TransferFailure(Item.Record.LogicalPath, failure));
}
