using AzFuse.Tests.Infrastructure;
using AzFuse.Upload;

namespace AzFuse.Tests.Scale;

/// <summary>
/// "Is this write still pending?" follows the journals as they change (records, completions, a
/// journal started over, a journal adopted and deleted, a line half written) while reading only
/// what each journal gained since it was last asked.
/// </summary>
public sealed class PendingTokensTests : IDisposable
{
    private readonly TempFolder _temp = new();

    private string Folder => Path.Combine(_temp.Path, "pending");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_write_is_pending_from_its_record_until_its_completion()
    {
        using var journal = UploadJournal.Create(Folder, TimeProvider.System);
        var tokens = new PendingTokens(Folder);
        var (first, second) = (Record(1), Record(2));

        journal.Append(first);
        Assert.True(tokens.Contains(first.Token));
        Assert.False(tokens.Contains(second.Token));

        journal.Append(second);
        journal.Complete([first.Id]);

        Assert.False(tokens.Contains(first.Token));
        Assert.True(tokens.Contains(second.Token));
    }

    [Fact]
    public void A_journal_started_over_and_grown_past_what_was_read_is_read_from_its_start()
    {
        using var journal = UploadJournal.Create(Folder, TimeProvider.System);
        var tokens = new PendingTokens(Folder);
        var old = Enumerable.Range(1, 3).Select(i => Record(i)).ToList();
        journal.AppendAll(old);
        Assert.True(tokens.Contains(old[2].Token));
        var readUpTo = new FileInfo(journal.Path).Length;

        journal.Complete(old.Select(r => r.Id).ToList()); // nothing pending: the owner starts the file over
        var now = Enumerable.Range(10, 20).Select(i => Record(i)).ToList();
        journal.AppendAll(now);

        Assert.True(new FileInfo(journal.Path).Length > readUpTo);
        Assert.All(old, r => Assert.False(tokens.Contains(r.Token)));
        Assert.All(now, r => Assert.True(tokens.Contains(r.Token)));
    }

    [Fact]
    public void A_journal_adopted_and_deleted_holds_nothing_pending()
    {
        var record = Record(1);
        var tokens = new PendingTokens(Folder);
        string path;
        using (var journal = UploadJournal.Create(Folder, TimeProvider.System))
        {
            journal.Append(record);
            path = journal.Path;
        }

        Assert.True(tokens.Contains(record.Token));
        File.Delete(path);

        Assert.False(tokens.Contains(record.Token));
    }

    [Fact]
    public void A_line_still_being_written_counts_once_it_is_complete()
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, ".by-hand" + UploadJournal.Extension);
        var token = Guid.NewGuid();
        var line = $"{{\"add\":{{\"id\":7,\"storageAccount\":\"a\",\"blobName\":\"b\",\"dataPath\":\"/x\",\"token\":\"{token}\"}}}}\n";
        var tokens = new PendingTokens(Folder);

        File.WriteAllText(path, line[..20]);
        Assert.False(tokens.Contains(token));

        File.AppendAllText(path, line[20..]);
        Assert.True(tokens.Contains(token));
    }

    private PendingUpload Record(long id) =>
        new(id, "acct", $"blob/{id}", $"data/{id}", _temp.Path, Path.Combine(_temp.Path, $"{id}.bin"), Staged: false, DateTimeOffset.UtcNow, Guid.NewGuid());
}
