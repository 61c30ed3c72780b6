using AzFuse.Cache;
using AzFuse.Engine;
using AzFuse.IO;
using AzFuse.Tests.Infrastructure;
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
        var removed = UnsyncedFills.Recover(Sandbox.CacheRoot, engine.Eviction, engine.Space, TimeSpan.FromMinutes(1), TimeProvider.System, NullLogger.Instance, new Boot("another-boot", DateTimeOffset.UtcNow.AddSeconds(1)));

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
    private bool CanTellFillsApart(string relative, string content)
    {
        Directory.CreateDirectory(Sandbox.Root);
        var probe = Path.Combine(Sandbox.Root, "birth-probe");
        File.WriteAllText(probe, string.Empty);
        if (BootSession.Current is not null && NativeFiles.BirthTimeOf(probe) is not null)
        {
            return true;
        }

        Assert.Equal(content, Sandbox.CreateClient().ReadAllText("data/" + relative));
        Assert.Empty(Markers());
        return false;
    }
}
