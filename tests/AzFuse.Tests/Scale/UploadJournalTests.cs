using AzFuse.Tests.Infrastructure;
using AzFuse.Upload;

namespace AzFuse.Tests.Scale;

/// <summary>Records adopted from a dead process's journal go into this process's journal together, with one flush.</summary>
public sealed class UploadJournalTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Records_appended_together_read_back_in_order_and_keep_the_journal_until_every_one_is_complete()
    {
        var folder = Path.Combine(_temp.Path, "pending");
        using var journal = UploadJournal.Create(folder, TimeProvider.System);

        // Over a megabyte of lines: written in pieces, flushed once.
        var records = Enumerable.Range(1, 5000).Select(i => new PendingUpload(i, "acct", $"blob/{i}", $"data/{i}", _temp.Path, Path.Combine(_temp.Path, $"{i}.bin"), Staged: false, DateTimeOffset.UtcNow, Guid.NewGuid())).ToList();
        journal.AppendAll(records);

        Assert.True(new FileInfo(journal.Path).Length > 1 << 20);
        Assert.Equal(records, UploadJournal.Read(journal.Path).Records.Select(r => r.Record));
        journal.Complete(records.Take(4999).Select(r => r.Id).ToList());
        Assert.False(journal.CloseIfIdle());
        journal.Complete([5000]);
        Assert.True(journal.CloseIfIdle());
    }

    [Fact]
    public void A_recorded_write_is_one_line_that_starts_with_its_id_and_names_its_account_once_read()
    {
        var folder = Path.Combine(_temp.Path, "pending");
        using var journal = UploadJournal.Create(folder, TimeProvider.System);
        journal.AppendAll(new[] { 1, 2 }.Select(i => new PendingUpload(i, "acct", $"blob/{i}", $"data/{i}", _temp.Path, Path.Combine(_temp.Path, $"{i}.bin"), Staged: false, DateTimeOffset.UtcNow, Guid.NewGuid())).ToList());

        using (var reader = new StreamReader(new FileStream(journal.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite)))
        {
            Assert.StartsWith("{\"add\":{\"id\":1,", reader.ReadLine(), StringComparison.Ordinal);
        }

        // The fields every line repeats are one string each once read, not one per record.
        var read = UploadJournal.Read(journal.Path).Records.Select(r => r.Record).ToList();
        Assert.Same(read[0].StorageAccount, read[1].StorageAccount);
        Assert.Same(read[0].CacheRoot, read[1].CacheRoot);
    }
}
