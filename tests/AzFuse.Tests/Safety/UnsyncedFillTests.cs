using System.Text;
using AzFuse.Cache;
using AzFuse.Engine;
using AzFuse.IO;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;
using AzFuse.Upload;
using Microsoft.Extensions.Logging.Abstractions;

namespace AzFuse.Tests.Safety;

/// <summary>
/// Cache fills are renamed into place without an fsync each; a marker per process says so, and a
/// start after a restart removes what such fills may have left torn (see <see cref="UnsyncedFills"/>).
/// A power loss cannot be caused here: the restart is told to <see cref="UnsyncedFills.Recover"/> as
/// another boot that started now.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class UnsyncedFillTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    private string WorkFolder => Path.Combine(Sandbox.CacheRoot, CacheLayout.WorkFolderName);

    [Fact]
    public async Task After_a_restart_fills_made_since_the_marker_are_removed_and_fetched_again_while_older_files_and_unuploaded_writes_stay()
    {
        await Sandbox.UploadAsync("opened.txt", "opened content");
        if (!CanTellFillsApart("opened.txt", "opened content"))
        {
            return;
        }

        await Sandbox.UploadAsync("prepared/1.txt", "prepared content");

        // Placed before any fill of this process, so born before its marker (timestamps are coarse: a pause after).
        var older = Sandbox.CachePathOf("older.txt");
        Directory.CreateDirectory(Sandbox.CacheRoot);
        await File.WriteAllTextAsync(older, "older content");
        await Task.Delay(50);

        var client = Sandbox.CreateClient();
        Assert.Equal("opened content", client.ReadAllText("data/opened.txt"));
        client.Prepare(["data/prepared/1.txt"]);
        var marker = Assert.Single(Markers());
        Assert.Equal($".unsynced-{BootSession.Id}-{Environment.ProcessId}", Path.GetFileName(marker));

        // Writes a child process closed (flushed, as every closed write is) while their uploads were still queued.
        await KillWriterWithUploadsQueuedAsync(2, "data/written");

        var engine = new AzFuseEngine(Sandbox.CreateOptions(), NullLoggerFactory.Instance);
        var removed = UnsyncedFills.Recover(Sandbox.CacheRoot, engine.Eviction, engine.Pending, engine.Space, TimeSpan.FromMinutes(1), TimeProvider.System, NullLogger.Instance, new Boot("another-boot", DateTimeOffset.UtcNow.AddSeconds(1)));

        Assert.Equal(2, removed);
        Assert.False(File.Exists(Sandbox.CachePathOf("opened.txt")));
        Assert.False(File.Exists(Sandbox.CachePathOf("prepared/1.txt")));
        Assert.Equal("older content", await File.ReadAllTextAsync(older));
        Assert.Equal("content 0", await File.ReadAllTextAsync(Sandbox.CachePathOf("written/0.txt")));
        Assert.Equal("content 1", await File.ReadAllTextAsync(Sandbox.CachePathOf("written/1.txt")));
        Assert.Empty(Markers());

        // Removed is not lost: fetched again when next opened.
        Assert.Equal("opened content", Sandbox.CreateClient().ReadAllText("data/opened.txt"));
        Assert.Equal("prepared content", Sandbox.CreateClient().ReadAllText("data/prepared/1.txt"));
    }

    [Fact]
    public async Task After_a_restart_small_writes_of_a_scope_that_a_power_loss_tore_or_lost_are_written_back_from_their_journal_lines_and_uploaded_while_a_file_written_later_stays()
    {
        if (!CanTellFillsApart(null, null))
        {
            return;
        }

        // Closed in a scope, uploads still queued: each journal line holds the bytes, and the files
        // themselves were never flushed, so a power loss may leave them empty, or not there at all.
        await KillWriterWithUploadsQueuedAsync(4, "data/torn");
        var journal = Assert.Single(Directory.GetFiles(Path.Combine(WorkFolder, "pending"), "*.journal"));
        Assert.All(UploadJournal.Read(journal, withContent: true).Records, r => Assert.Equal(Encoding.UTF8.GetBytes($"content {r.Record.LogicalPath[^5]}"), r.Record.Content));
        Assert.All(UploadJournal.Read(journal).Records, r => Assert.True(r.Record.Content is null && r.Record.HadContent));

        // As a power loss leaves them: the last change they show is not later than the write's.
        var before = DateTime.UtcNow.AddHours(-1);
        await File.WriteAllTextAsync(Sandbox.CachePathOf("torn/0.txt"), string.Empty);
        File.SetLastWriteTimeUtc(Sandbox.CachePathOf("torn/0.txt"), before);
        await File.WriteAllTextAsync(Sandbox.CachePathOf("torn/1.txt"), "cont\0\0\0\0\0");
        File.SetLastWriteTimeUtc(Sandbox.CachePathOf("torn/1.txt"), before);
        File.Delete(Sandbox.CachePathOf("torn/2.txt"));

        // Written after the record by a write that keeps none (another process's small synchronous
        // write, sent first): newer than the journal's bytes, so it stays.
        await File.WriteAllTextAsync(Sandbox.CachePathOf("torn/3.txt"), "newer content");
        await Sandbox.UploadAsync("torn/3.txt", "newer content");

        // The restart: the writer's marker is made one of an earlier boot, and the next start's own
        // recovery (before it takes over the writer's journal) writes the files back.
        var marker = Assert.Single(Markers());
        File.Move(marker, Path.Combine(WorkFolder, $".unsynced-earlier-boot-{Path.GetFileName(marker).Split('-')[^1]}"));
        var client = Sandbox.CreateClient();
        client.ClearCache("data/unrelated.txt"); // any first use starts the engine
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal($"content {i}", await File.ReadAllTextAsync(Sandbox.CachePathOf($"torn/{i}.txt")));
        }

        Assert.Equal("newer content", await File.ReadAllTextAsync(Sandbox.CachePathOf("torn/3.txt")));
        Assert.Empty(Markers());
        client.ResumePendingUploads();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal($"content {i}", await Sandbox.DownloadTextAsync($"torn/{i}.txt"));
        }

        // Its pending record uploads what the file holds now, as it would have without the restart.
        Assert.Equal("newer content", await Sandbox.DownloadTextAsync("torn/3.txt"));
    }

    [Fact]
    public async Task A_write_in_a_scope_larger_than_the_journal_takes_keeps_its_bytes_out_of_the_journal()
    {
        if (!CanTellFillsApart(null, null))
        {
            return;
        }

        // azcopy waits for the gate: the records stay pending while the journal is read.
        var gate = Path.Combine(Sandbox.Root, "gate");
        Sandbox.AzCopyPath = FakeAzCopy.Create(Path.Combine(Sandbox.Root, "gated"), $"while [ ! -e '{gate}' ]; do sleep 0.05; done\nexec '{RepositoryTools.AzCopy}' \"$@\"");
        Sandbox.Engine = AzFuseTransferEngine.AzCopy;
        var client = Sandbox.CreateClient();
        var journaled = new byte[FileWriter.JournaledContentLimit];
        var flushed = new byte[FileWriter.JournaledContentLimit + 1];
        Random.Shared.NextBytes(flushed);
        Random.Shared.NextBytes(journaled);
        string[] lines;
        using (client.AsyncUpload())
        {
            client.WriteAllBytes("data/small.bin", journaled);
            client.WriteAllBytes("data/large.bin", flushed);
            var journal = Assert.Single(Directory.GetFiles(Path.Combine(WorkFolder, "pending"), "*.journal"));
            lines = File.ReadAllLines(journal);
            File.WriteAllText(gate, string.Empty);
        }

        var records = lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).Where(e => e.TryGetProperty("add", out _)).Select(e => e.GetProperty("add")).ToList();
        Assert.Equal(2, records.Count);
        Assert.Equal(journaled, records.Single(r => r.GetProperty("blobName").GetString()!.EndsWith("small.bin", StringComparison.Ordinal)).GetProperty("content").GetBytesFromBase64());
        Assert.False(records.Single(r => r.GetProperty("blobName").GetString()!.EndsWith("large.bin", StringComparison.Ordinal)).TryGetProperty("content", out _));
        Assert.Equal(flushed, await Sandbox.DownloadAsync("large.bin"));
        Assert.Equal(journaled, await Sandbox.DownloadAsync("small.bin"));
    }

    [Fact]
    public async Task A_process_that_ends_cleanly_flushes_its_fills_and_leaves_no_marker()
    {
        await Sandbox.UploadAsync("a.txt", "a content");
        if (!CanTellFillsApart("a.txt", "a content"))
        {
            return;
        }

        using var child = HelperProcess.Start(Sandbox.EnvironmentVariables, Sandbox.Root, "open", "data/a.txt");
        await child.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(0, child.ExitCode);
        Assert.Equal("a content", await File.ReadAllTextAsync(Sandbox.CachePathOf("a.txt")));
        Assert.Empty(Markers());
    }

    [Fact]
    public async Task A_marker_of_this_boot_whose_process_was_killed_is_flushed_and_removed_by_the_next_start_and_no_file_is_removed()
    {
        await Sandbox.UploadAsync("b.txt", "b content");
        await Sandbox.UploadAsync("probe.txt", "probe content");
        if (!CanTellFillsApart("probe.txt", "probe content"))
        {
            return;
        }
        using (var child = HelperProcess.Start(Sandbox.EnvironmentVariables, Sandbox.Root, "hold", "data/b.txt"))
        {
            Assert.Equal("held", await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1)));
            Assert.Single(Markers());
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
        }

        Assert.Single(Markers());
        Assert.Equal("b content", Sandbox.CreateClient().ReadAllText("data/b.txt")); // the start that cleans up; a hit
        Assert.Empty(Markers());
        Assert.Equal("b content", await File.ReadAllTextAsync(Sandbox.CachePathOf("b.txt")));
    }

    private string[] Markers() => Directory.Exists(WorkFolder) ? Directory.GetFiles(WorkFolder, ".unsynced-*") : [];

    /// <summary>
    /// Whether this machine has boot ids and the sandbox's file system keeps birth times. Where not,
    /// every fill is fsync'd on its own, and this checks that no marker pretends otherwise.
    /// </summary>
    private bool CanTellFillsApart(string? relative, string? content)
    {
        Directory.CreateDirectory(Sandbox.Root);
        var probe = Path.Combine(Sandbox.Root, "birth-probe");
        File.WriteAllText(probe, string.Empty);
        if (BootSession.Current is not null && NativeFiles.BirthTimeOf(probe) is not null)
        {
            return true;
        }

        if (relative is not null)
        {
            Assert.Equal(content, Sandbox.CreateClient().ReadAllText("data/" + relative));
            Assert.Empty(Markers());
        }

        return false;
    }
}
