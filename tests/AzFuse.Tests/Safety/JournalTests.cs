using System.Diagnostics;
using System.Text.Json;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Safety;

/// <summary>Every pending write resumes: bad journal records and lines are reported and skipped, never blocking the others.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class JournalTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    [Fact]
    public async Task A_journal_with_one_bad_record_and_20_good_ones_resumes_the_20_and_reports_the_one()
    {
        var lines = Enumerable.Range(0, 20).Select(i => GoodRecord(i + 1, $"j/{i}.txt", $"pending {i}")).ToList();
        lines.Insert(10, Add(new { logicalPath = "data/j/bad.txt", cacheRoot = Sandbox.CacheRoot, dataPath = Sandbox.CachePathOf("j/gone.txt"), written = DateTimeOffset.UtcNow })); // valid JSON: no blob, no account, no id, no data
        var journal = AbandonedJournal(lines);
        var logs = new CapturingLoggerFactory();
        var client = Sandbox.CreateClient(logs);

        var ex = Assert.Throws<AzFuseTransferException>(() => client.ResumePendingUploads());

        var failure = Assert.Single(ex.Failures);
        Assert.Equal($"{journal}:11", failure.Path);
        Assert.Contains("data file is gone", failure.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("20 file(s) were uploaded", ex.Message, StringComparison.Ordinal);
        Assert.Contains(logs.Lines, l => l.Contains("[46] Skipped line 11 of the upload journal " + journal, StringComparison.Ordinal));
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal($"pending {i}", await Sandbox.DownloadTextAsync($"j/{i}.txt"));
        }

        Assert.Equal(0, client.ResumePendingUploads()); // reported once
        Assert.Equal(0, Sandbox.CreateClient().ResumePendingUploads()); // and no later process trips on it
    }

    [Fact]
    public async Task Unreadable_lines_are_reported_with_their_journal_and_line_and_the_records_around_them_resume()
    {
        var journal = AbandonedJournal(
        [
            GoodRecord(1, "u/a.txt", "a"),
            "{\"add\": this is not JSON",
            "{}",
            GoodRecord(2, "u/b.txt", "b"),
            "{\"add\":{\"id\":3,\"storageAcc", // torn: the writer was killed mid-append
        ]);
        var logs = new CapturingLoggerFactory();
        var client = Sandbox.CreateClient(logs);

        var ex = Assert.Throws<AzFuseTransferException>(() => client.ResumePendingUploads());

        Assert.Equal([$"{journal}:2", $"{journal}:3", $"{journal}:5"], ex.Failures.Select(f => f.Path).Order());
        Assert.Equal(3, logs.Lines.Count(l => l.Contains("[46]", StringComparison.Ordinal) && l.Contains(journal, StringComparison.Ordinal)));
        Assert.Equal("a", await Sandbox.DownloadTextAsync("u/a.txt"));
        Assert.Equal("b", await Sandbox.DownloadTextAsync("u/b.txt"));
    }

    [Fact]
    public async Task A_record_without_blob_account_or_id_whose_data_file_exists_is_recovered_from_its_path()
    {
        var data = Sandbox.CachePathOf("r/recovered.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(data)!);
        File.WriteAllText(data, "recovered content");
        AbandonedJournal([Add(new { dataPath = data, written = DateTimeOffset.UtcNow }), Add(new { dataPath = data, written = DateTimeOffset.UtcNow })]);
        var client = Sandbox.CreateClient();

        Assert.Equal(1, client.ResumePendingUploads());

        Assert.Equal("recovered content", await Sandbox.DownloadTextAsync("r/recovered.txt"));
    }

    [Fact]
    public void A_record_whose_data_file_is_outside_the_cache_folder_is_skipped_and_the_file_left_alone()
    {
        var outside = Path.Combine(Sandbox.Root, "elsewhere.txt");
        File.WriteAllText(outside, "not the cache's");
        var journal = AbandonedJournal([Add(new { id = 1, storageAccount = "azurite", blobName = "azfuse_data/x.txt", logicalPath = "data/x.txt", cacheRoot = Sandbox.CacheRoot, dataPath = outside, staged = true, written = DateTimeOffset.UtcNow })]);

        var ex = Assert.Throws<AzFuseTransferException>(() => Sandbox.CreateClient().ResumePendingUploads());

        Assert.Equal($"{journal}:1", Assert.Single(ex.Failures).Path);
        Assert.Equal("not the cache's", File.ReadAllText(outside));
    }

    [Fact]
    public async Task Blobs_the_start_up_resume_uploaded_are_counted_by_the_next_call_even_when_one_of_them_failed()
    {
        // A blob under another holder's lease: its upload fails at once (not a transient failure), in the background.
        await Sandbox.UploadAsync("c/leased.txt", "old");
        var lease = Sandbox.CreateClient().AcquireLease("data/c/leased.txt");
        AbandonedJournal([.. Enumerable.Range(0, 5).Select(i => GoodRecord(i + 1, $"c/{i}.txt", $"pending {i}")), GoodRecord(6, "c/leased.txt", "new")]);
        var logs = new CapturingLoggerFactory();
        var client = Sandbox.CreateClient(logs);

        // Any call starts the library, and with it the start-up resume; wait for it to report its failure.
        Assert.False(client.Exists("data/c/none.txt"));
        for (var waited = Stopwatch.StartNew(); !logs.Lines.Any(l => l.Contains("[19] ", StringComparison.Ordinal));)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "the start-up resume did not report the leased blob's failure");
            await Task.Delay(20);
        }

        Assert.Equal("old", await Sandbox.DownloadTextAsync("c/leased.txt"));
        lease.Dispose();

        // The five the start-up resume uploaded, and the one this call does.
        Assert.Equal(6, client.ResumePendingUploads());
        Assert.Equal("new", await Sandbox.DownloadTextAsync("c/leased.txt"));
        Assert.Equal(0, client.ResumePendingUploads());
    }

    [Fact]
    public void A_record_the_start_up_resume_could_not_register_is_reported_by_the_next_call()
    {
        var data = Sandbox.CachePathOf("u/orphan.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(data)!);
        File.WriteAllText(data, "orphan");
        AbandonedJournal([GoodRecord(1, "u/fine.txt", "fine"), Add(new { id = 2, storageAccount = "nosuchaccount", blobName = "azfuse_data/u/orphan.txt", logicalPath = "data/u/orphan.txt", cacheRoot = Sandbox.CacheRoot, dataPath = data, staged = false, written = DateTimeOffset.UtcNow, token = Guid.NewGuid() })]);
        var logs = new CapturingLoggerFactory();
        var client = Sandbox.CreateClient(logs);

        var ex = Assert.Throws<AzFuseTransferException>(() => client.ResumePendingUploads());

        var failure = Assert.Single(ex.Failures);
        Assert.Equal("data/u/orphan.txt", failure.Path);
        Assert.Contains("nosuchaccount", failure.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("the next process to use this cache uploads it", failure.Exception.Message, StringComparison.Ordinal); // not a call of this one
        Assert.Contains("unless its cause says otherwise", ex.Message, StringComparison.Ordinal);
        Assert.Equal("orphan", File.ReadAllText(data)); // its content stays
    }

    private string GoodRecord(long id, string relative, string content)
    {
        var data = Sandbox.CachePathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(data)!);
        File.WriteAllText(data, content);
        return Add(new { id, storageAccount = "azurite", blobName = "azfuse_data/" + relative, logicalPath = "data/" + relative, cacheRoot = Sandbox.CacheRoot, dataPath = data, staged = false, written = DateTimeOffset.UtcNow, token = Guid.NewGuid() });
    }

    private static string Add(object record) => JsonSerializer.Serialize(new { add = record });

    /// <summary>A journal as a dead process leaves it: no one holds its lock.</summary>
    private string AbandonedJournal(IEnumerable<string> lines)
    {
        var folder = Path.Combine(Sandbox.CacheRoot, ".azfuse", "pending");
        Directory.CreateDirectory(folder);
        var journal = Path.Combine(folder, $"20200101T000000-1-{Guid.NewGuid():N}.journal");
        File.WriteAllText(journal, string.Join('\n', lines) + "\n");
        return journal;
    }
}
