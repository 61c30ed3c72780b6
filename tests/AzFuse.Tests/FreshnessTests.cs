using System.Text;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

/// <summary><c>revalidate_after</c> and <see cref="OpenOptions.Revalidate"/>, against a real Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class FreshnessTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    [Fact]
    public async Task Without_revalidate_after_a_cached_file_stays_as_it_was_as_in_the_Python_tool()
    {
        await Sandbox.UploadAsync("a.txt", "v1");
        var client = Sandbox.CreateClient();
        Assert.Equal("v1", client.ReadAllText("data/a.txt"));

        await Sandbox.UploadAsync("a.txt", "v2");

        Assert.Equal("v1", client.ReadAllText("data/a.txt"));
        Assert.Equal(1, client.GetCacheStats().Misses);
    }

    [Fact]
    public async Task A_blob_overwritten_remotely_is_downloaded_again_after_revalidate_after_and_not_before()
    {
        // The client's clock is moved past revalidate_after rather than waited for: with a window of a
        // few real seconds, a loaded machine could take it up between the fill and the read "before".
        Sandbox.SetCachePolicy(revalidateAfter: "1m");
        await Sandbox.UploadAsync("a.txt", "v1");
        var clock = new MovableClock();
        var options = Sandbox.CreateOptions();
        options.TimeProvider = clock;
        var client = new AzFuseClient(options);
        Assert.Equal("v1", client.ReadAllText("data/a.txt"));

        await Sandbox.UploadAsync("a.txt", "version 2");
        Assert.Equal("v1", client.ReadAllText("data/a.txt")); // within 1 min: no check, the cached copy

        clock.Ahead = TimeSpan.FromSeconds(61);
        Assert.Equal("version 2", client.ReadAllText("data/a.txt"));
        Assert.Equal("version 2", File.ReadAllText(Sandbox.CachePathOf("a.txt")));

        var stats = client.GetCacheStats();
        Assert.Equal(2, stats.Misses);
        Assert.Equal(1, stats.Hits);
    }

    [Fact]
    public async Task An_unchanged_blob_is_checked_but_not_downloaded_again()
    {
        Sandbox.SetCachePolicy(revalidateAfter: "0s");
        await Sandbox.UploadAsync("same.bin", TestContent.ForFile(1));
        var client = Sandbox.CreateClient();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(TestContent.ForFile(1), client.ReadAllBytes("data/same.bin"));
        }

        var stats = client.GetCacheStats();
        Assert.Equal(1, stats.Misses);
        Assert.Equal(2, stats.Hits);
    }

    [Fact]
    public async Task OpenOptions_Revalidate_checks_at_once_whatever_the_mapping_says()
    {
        await Sandbox.UploadAsync("b.txt", "old");
        var client = Sandbox.CreateClient();
        Assert.Equal("old", client.ReadAllText("data/b.txt"));
        await Sandbox.UploadAsync("b.txt", "new!");

        using (var plain = client.Open("data/b.txt", FileMode.Open))
        {
            Assert.Equal("old", new StreamReader(plain).ReadToEnd());
        }

        await using var checkedStream = await client.OpenAsync("data/b.txt", FileMode.Open, new OpenOptions { Revalidate = true });
        Assert.Equal("new!", await new StreamReader(checkedStream).ReadToEndAsync());
    }

    [Fact]
    public async Task A_remote_delete_surfaces_as_FileNotFoundException_on_revalidation_and_the_cached_copy_goes()
    {
        Sandbox.SetCachePolicy(revalidateAfter: "0s");
        await Sandbox.UploadAsync("gone.txt", "here");
        var client = Sandbox.CreateClient();
        Assert.Equal("here", client.ReadAllText("data/gone.txt"));

        await Sandbox.DeleteRemoteAsync("gone.txt");

        var ex = Assert.Throws<FileNotFoundException>(() => client.Open("data/gone.txt", FileMode.Open));
        Assert.Contains("data/gone.txt", ex.Message);
        Assert.False(File.Exists(Sandbox.CachePathOf("gone.txt")));
    }

    [Fact]
    public async Task A_pending_upload_survives_revalidation_and_is_checked_by_MD5_once_uploaded()
    {
        await Sandbox.UploadAsync("mine.txt", "theirs");
        var (options, release) = HoldAzCopy();
        options.RevalidateAfter = TimeSpan.Zero; // the instance option, for mappings without the key
        var client = new AzFuseClient(options);

        var scope = client.AsyncUpload();
        client.WriteAllText("data/mine.txt", "mine");

        // Checked on every Open, yet the remote copy (older than the write) never replaces it.
        Assert.Equal("mine", client.ReadAllText("data/mine.txt"));
        await using (var forced = await client.OpenAsync("data/mine.txt", FileMode.Open, new OpenOptions { Revalidate = true }))
        {
            Assert.Equal("mine", await new StreamReader(forced).ReadToEndAsync());
        }

        Assert.Equal("theirs", await Sandbox.DownloadTextAsync("mine.txt"));

        File.WriteAllText(release, string.Empty);
        scope.Dispose();
        Assert.Equal("mine", await Sandbox.DownloadTextAsync("mine.txt"));

        // Uploaded: the version is unknown until checked, and the same MD5 proves it current.
        Assert.Equal("mine", client.ReadAllText("data/mine.txt"));
        Assert.Equal(0, client.GetCacheStats().Misses);
    }

    [Fact]
    public async Task An_append_under_revalidate_after_builds_on_the_blobs_newest_content()
    {
        Sandbox.SetCachePolicy(revalidateAfter: "0s");
        await Sandbox.UploadAsync("log.txt", "line 1\n");
        var client = Sandbox.CreateClient();
        Assert.Equal("line 1\n", client.ReadAllText("data/log.txt"));
        await Sandbox.UploadAsync("log.txt", "line 1\nline 2 from elsewhere\n");

        using (var append = new StreamWriter(client.Open("data/log.txt", FileMode.Append)))
        {
            append.Write("line 3\n");
        }

        Assert.Equal("line 1\nline 2 from elsewhere\nline 3\n", await Sandbox.DownloadTextAsync("log.txt"));
    }

    [Fact]
    public async Task Prepare_downloads_again_what_changed_drops_what_was_deleted_and_keeps_the_rest()
    {
        Sandbox.SetCachePolicy(revalidateAfter: "0s");

        // 40 files in one folder are checked by listing it; 3 in another by HEADs.
        var many = Enumerable.Range(0, 40).Select(i => ($"many/{i}.bin", TestContent.ForFile(i))).ToList();
        var few = Enumerable.Range(0, 3).Select(i => ($"few/{i}.bin", TestContent.ForFile(100 + i))).ToList();
        await Sandbox.UploadManyAsync(many.Concat(few));
        var paths = many.Concat(few).Select(f => "data/" + f.Item1).ToList();
        var client = Sandbox.CreateClient();
        client.Prepare(paths);

        await Sandbox.UploadAsync("many/3.bin", Encoding.UTF8.GetBytes("changed 3"));
        await Sandbox.UploadAsync("many/39.bin", Encoding.UTF8.GetBytes("changed 39"));
        await Sandbox.UploadAsync("few/1.bin", Encoding.UTF8.GetBytes("changed few 1"));
        await Sandbox.DeleteRemoteAsync("many/7.bin");

        var before = (await Server.RequestsToAsync(Sandbox.ContainerName)).Count;
        var ex = Assert.Throws<AzFuseTransferException>(() => client.Prepare(paths));
        var requests = (await Server.RequestsToAsync(Sandbox.ContainerName)).Skip(before).ToList();

        // One listing for the folder of 40, three HEADs for the folder of 3, and nothing per file of the 40.
        Assert.Single(requests, r => r.StartsWith("GET ", StringComparison.Ordinal) && r.Contains("comp=list", StringComparison.Ordinal));
        Assert.Equal(3, requests.Count(r => r.StartsWith("HEAD ", StringComparison.Ordinal) && r.Contains("/few/", StringComparison.Ordinal)));
        Assert.DoesNotContain(requests, r => r.StartsWith("HEAD ", StringComparison.Ordinal) && r.Contains("/many/", StringComparison.Ordinal));

        var failure = Assert.Single(ex.Failures);
        Assert.Equal("data/many/7.bin", failure.Path);
        Assert.IsType<FileNotFoundException>(failure.Exception);
        Assert.False(File.Exists(Sandbox.CachePathOf("many/7.bin")));
        Assert.Equal("changed 3", File.ReadAllText(Sandbox.CachePathOf("many/3.bin")));
        Assert.Equal("changed 39", File.ReadAllText(Sandbox.CachePathOf("many/39.bin")));
        Assert.Equal("changed few 1", File.ReadAllText(Sandbox.CachePathOf("few/1.bin")));
        Assert.Equal(TestContent.ForFile(5), File.ReadAllBytes(Sandbox.CachePathOf("many/5.bin")));
        Assert.Equal(TestContent.ForFile(102), File.ReadAllBytes(Sandbox.CachePathOf("few/2.bin")));
    }

    [Fact]
    public async Task Records_are_never_visible_as_logical_files()
    {
        Sandbox.SetCachePolicy(revalidateAfter: "1h");
        await Sandbox.UploadAsync("dir/x.txt", "x");
        var client = Sandbox.CreateClient();
        client.ReadAllText("data/dir/x.txt");

        Assert.Equal(["data/dir/x.txt"], client.List("data/dir"));
        Assert.Throws<ArgumentException>(() => client.Open("data/dir/.x.txt.azfuse-record", FileMode.Open));
        Assert.Equal(1, client.GetCacheStats().Files);
    }

    /// <summary>The system's clock, moved on by <see cref="Ahead"/> (its timestamps, which time waits and retries, are not).</summary>
    private sealed class MovableClock : TimeProvider
    {
        public TimeSpan Ahead { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Ahead;
    }
}
