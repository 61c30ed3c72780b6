using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Python;

/// <summary>A cache folder shared with the Python tool: neither tool's own files are the other's to serve or delete.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class SharedCacheTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    [Fact]
    public async Task The_Python_tools_temporary_and_lock_files_are_never_served_counted_evicted_or_cleared()
    {
        // What the Python tool leaves in a cache it shares: a write in progress (renamed to its name
        // when done) and, with cache_lock: true, a lock file per cached file.
        await Sandbox.UploadAsync("py/a.txt", "a");
        var client = Sandbox.CreateClient();
        client.ReadAllText("data/py/a.txt");
        File.WriteAllText(Sandbox.CachePathOf("py/b.txt.tmpwrite"), "half of a Python write");
        File.WriteAllText(Sandbox.CachePathOf("py/a.txt.lockfile"), string.Empty);

        var served = Assert.Throws<ArgumentException>(() => client.ReadAllText("data/py/b.txt.tmpwrite"));
        Assert.Contains("Python tool", served.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => client.Exists("data/py/a.txt.lockfile"));
        Assert.Equal(1, client.GetCacheStats().Files);

        client.ClearCache("data/py");

        Assert.False(File.Exists(Sandbox.CachePathOf("py/a.txt")));
        Assert.Equal("half of a Python write", File.ReadAllText(Sandbox.CachePathOf("py/b.txt.tmpwrite")));
        Assert.True(File.Exists(Sandbox.CachePathOf("py/a.txt.lockfile")));
    }

    [Fact]
    public async Task The_Python_collector_finds_none_of_AzFuses_state_to_delete()
    {
        // A bounded cache (a size ledger), an upload held pending (a journal and its lock), a
        // write stream open (a private file and its folder's lock): everything AzFuse keeps.
        await Sandbox.UploadAsync("gc/read.bin", "x");
        var reading = Sandbox.CreateOptions();
        reading.MaxCacheSize = 10_000_000;
        new AzFuseClient(reading).ReadAllText("data/gc/read.bin");
        var (options, release) = HoldAzCopy();
        options.MaxCacheSize = 10_000_000;
        var client = new AzFuseClient(options);
        var scope = client.AsyncUpload();
        client.WriteAllText("data/gc/pending.txt", "pending");
        using var open = client.OpenWrite("data/gc/open.txt");
        open.Write("half"u8);

        var deletable = PythonCollector.Candidates(Sandbox.CacheRoot)
            .Select(f => Path.GetRelativePath(Sandbox.CacheRoot, f))
            .Where(f => f.StartsWith(".azfuse", StringComparison.Ordinal))
            .ToList();

        File.WriteAllText(release, "go");
        open.Discard();
        await scope.CompleteAsync();
        Assert.Empty(deletable);
        Assert.Equal("pending", await Sandbox.DownloadTextAsync("gc/pending.txt"));
    }

    [Fact]
    public async Task A_cache_of_an_earlier_version_loses_its_old_size_ledger_and_its_journals_are_still_adopted()
    {
        // Before its files started with '.', the library kept the ledger as .azfuse/cache-size and
        // journals as .azfuse/pending/ID.journal: names the Python tool's collector would delete.
        await Sandbox.UploadAsync("old/read.txt", "r");
        var work = Path.Combine(Sandbox.CacheRoot, ".azfuse");
        Directory.CreateDirectory(Path.Combine(work, "pending"));
        File.WriteAllText(Path.Combine(work, "cache-size"), "12345");
        var data = Sandbox.CachePathOf("old/pending.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(data)!);
        File.WriteAllText(data, "left pending by an earlier version");
        var record = new { id = 1, storageAccount = "azurite", blobName = "azfuse_data/old/pending.txt", logicalPath = "data/old/pending.txt", cacheRoot = Sandbox.CacheRoot, dataPath = data, staged = false, written = DateTimeOffset.UtcNow, token = Guid.NewGuid() };
        File.WriteAllText(Path.Combine(work, "pending", "20200101T000000-1-0123456789abcdef0123456789abcdef.journal"), System.Text.Json.JsonSerializer.Serialize(new { add = record }) + "\n");
        var options = Sandbox.CreateOptions();
        options.MaxCacheSize = 10_000_000;
        var client = new AzFuseClient(options);

        client.ReadAllText("data/old/read.txt");
        var resumed = await client.ResumePendingUploadsAsync();

        Assert.False(File.Exists(Path.Combine(work, "cache-size")), "the old ledger is removed");
        Assert.True(File.Exists(Path.Combine(work, ".cache-size")));
        Assert.InRange(resumed, 0, 1); // the start-up resume runs in the background and may have uploaded it already
        Assert.Equal("left pending by an earlier version", await Sandbox.DownloadTextAsync("old/pending.txt"));
    }

    /// <summary>
    /// Which files the Python tool's garbage collector (<c>garbage_collection_for_cloud_fuse</c>)
    /// would consider deleting: every file under the folder, in hidden folders too (<c>os.walk</c>,
    /// which does not follow linked folders), except names starting with '.' or ending in '.tmp'.
    /// </summary>
    private static class PythonCollector
    {
        public static IEnumerable<string> Candidates(string folder) =>
            Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
                .Where(f => !Path.GetFileName(f).StartsWith('.') && !f.EndsWith(".tmp", StringComparison.Ordinal));
    }
}
