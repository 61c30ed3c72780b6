using AzFuse.Remote;

namespace AzFuse.Upload;

/// <summary>A pending upload in memory: its record, the blob it resolves to, and the journal that holds the record.</summary>
/// <param name="Record">The journaled record.</param>
/// <param name="Blob">Where it goes.</param>
/// <param name="Journal">The journal to mark it complete in.</param>
/// <param name="DataRoot">The root <see cref="PendingUpload.DataPath"/> lies under (cache root or staging root): snapshots for a batch are hard-linked there.</param>
internal sealed record PendingItem(PendingUpload Record, BlobLocation Blob, UploadJournal Journal, string DataRoot)
{
    public PendingKey Key => Record.Key;

    /// <summary>Whether this record's content replaces <paramref name="other"/>'s: the later write wins.</summary>
    public bool IsNewerThan(PendingItem other) =>
        Record.Written != other.Record.Written ? Record.Written > other.Record.Written : Record.Id > other.Record.Id;
}

/// <summary>
/// A caller's claim on one write's upload: completes when an upload that includes the write is
/// confirmed (with <see langword="null"/>) or has finally failed (with the failure). Either a claim
/// of its own, with a task to wait on (a write), or one of a <see cref="UploadTicketGroup"/> that is
/// waited on as a whole (a resume, a flush).
/// </summary>
internal sealed class UploadTicket
{
    // What completed a ticket that succeeded: the outcome field is set once, from null.
    private static readonly object s_uploaded = new();

    private readonly TaskCompletionSource<TransferFailure?>? _done;
    private readonly UploadTicketGroup? _group;
    private object? _outcome;

    public UploadTicket(PendingItem item)
    {
        Item = item;
        _done = new TaskCompletionSource<TransferFailure?>(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public UploadTicket(PendingItem item, UploadTicketGroup group)
    {
        Item = item;
        _group = group;
    }

    public PendingItem Item { get; }

    /// <summary>Completes with the ticket's outcome; only a ticket of its own has one (a group's is waited on through the group).</summary>
    public Task<TransferFailure?> Completion => _done?.Task ?? throw new InvalidOperationException("A ticket of a group is waited on through its group.");

    public bool IsCompleted => Volatile.Read(ref _outcome) is not null;

    /// <summary>Why the upload failed, once completed; <see langword="null"/> while pending or once uploaded.</summary>
    public TransferFailure? Failure => Volatile.Read(ref _outcome) as TransferFailure;

    public void Complete(Exception? failure)
    {
        var outcome = failure is null ? null : new TransferFailure(Item.Record.LogicalPath, failure);
        if (Interlocked.CompareExchange(ref _outcome, outcome ?? s_uploaded, null) is not null)
        {
            return; // completed already
        }

        _done?.TrySetResult(outcome);
        _group?.Completed();
    }
}

/// <summary>
/// Claims on many writes' uploads that are waited on together (a resume, a flush): one task for all
/// of them, where a task per write made a resume of 100,000 files hold 100,000 task completion sources
/// (some 100 bytes each) only to be waited on one after another.
/// </summary>
internal sealed class UploadTicketGroup
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<UploadTicket> _tickets;

    // The tickets not completed yet, and one more until Seal: no ticket completed before the last
    // is added can complete the group.
    private int _remaining = 1;

    /// <param name="capacity">How many tickets to make room for at once (a list of 100,000 grown step by step leaves each smaller copy behind).</param>
    public UploadTicketGroup(int capacity = 0)
    {
        _tickets = new List<UploadTicket>(capacity);
    }

    /// <summary>The claims, in the order they were made.</summary>
    public IReadOnlyList<UploadTicket> Tickets => _tickets;

    /// <summary>Completes once every ticket has (each with its own outcome).</summary>
    public Task Completion => _done.Task;

    /// <summary>The failures among the completed tickets, in the tickets' order.</summary>
    public List<TransferFailure> Failures => [.. _tickets.Select(t => t.Failure).OfType<TransferFailure>()];

    /// <summary>A claim on <paramref name="item"/>'s upload; call before <see cref="Seal"/>, from one thread.</summary>
    public UploadTicket Add(PendingItem item)
    {
        var ticket = new UploadTicket(item, this);
        Interlocked.Increment(ref _remaining);
        _tickets.Add(ticket);
        return ticket;
    }

    /// <summary>No more tickets: the group completes when those added have (at once, if none or all have).</summary>
    public void Seal() => Completed();

    internal void Completed()
    {
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _done.TrySetResult();
        }
    }
}
