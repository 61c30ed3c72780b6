using System.Text;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class PrepareTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    [Fact]
    public async Task Prepare_of_1000_files_under_azcopy_uses_one_job_and_caches_every_file()
    {
        Sandbox.Engine = AzFuseTransferEngine.AzCopy;
        await Sandbox.UploadManyAsync(Enumerable.Range(0, 1000).Select(i => ($"{i % 10}/{i}.txt", Encoding.UTF8.GetBytes($"content {i}"))));
        var logs = new CapturingLoggerFactory();
        var client = Sandbox.CreateClient(logs);
        var paths = Enumerable.Range(0, 1000).Select(i => $"data/{i % 10}/{i}.txt").ToList();

        client.Prepare(paths);

        AssertAzCopyRuns(["BlobLocal"], logs);
        var runs = AzCopy.Invocations.Count;
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal($"content {i}", File.ReadAllText(Sandbox.CachePathOf($"{i % 10}/{i}.txt")));
        }

        // Everything is cached now: neither Prepare nor Open starts azcopy again.
        client.Prepare(paths);
        using (var reader = new StreamReader(client.Open("data/7/7.txt", FileMode.Open)))
        {
            Assert.Equal("content 7", reader.ReadToEnd());
        }

        Assert.Equal(runs, AzCopy.Invocations.Count);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Sandbox.CacheRoot, ".azfuse", "staging")));
    }

    [Fact]
    public async Task PrepareAsync_skips_cached_files_and_fetches_only_the_rest()
    {
        Sandbox.Engine = AzFuseTransferEngine.AzCopy;
        await Sandbox.UploadManyAsync(Enumerable.Range(0, 20).Select(i => ($"{i}.txt", Encoding.UTF8.GetBytes($"remote {i}"))));
        Directory.CreateDirectory(Sandbox.CacheRoot);
        File.WriteAllText(Sandbox.CachePathOf("0.txt"), "cached 0");
        var logs = new CapturingLoggerFactory();

        await Sandbox.CreateClient(logs).PrepareAsync(Enumerable.Range(0, 20).Select(i => $"data/{i}.txt"));

        Assert.Equal("cached 0", File.ReadAllText(Sandbox.CachePathOf("0.txt")));
        Assert.Equal("remote 19", File.ReadAllText(Sandbox.CachePathOf("19.txt")));
        AssertAzCopyRuns(["BlobLocal"], logs);
    }

    [Fact]
    public async Task Prepare_of_a_single_missing_file_under_azcopy_uses_pipe_mode()
    {
        Sandbox.Engine = AzFuseTransferEngine.AzCopy;
        await Sandbox.UploadAsync("one.txt", "1");

        var logs = new CapturingLoggerFactory();

        Sandbox.CreateClient(logs).Prepare(["data/one.txt", "data/one.txt"]);

        // The path given twice is fetched once: one pipe run (and one more per failed run retried, as under load).
        AssertAzCopyRuns(["BlobPipe"], logs);
        Assert.Equal("1", File.ReadAllText(Sandbox.CachePathOf("one.txt")));
    }

    [Fact]
    public async Task Prepare_reports_missing_blobs_by_name_after_fetching_the_rest()
    {
        await Sandbox.UploadManyAsync(Enumerable.Range(0, 5).Select(i => ($"{i}.txt", Encoding.UTF8.GetBytes($"{i}"))));
        var paths = Enumerable.Range(0, 5).Select(i => $"data/{i}.txt").Concat(["data/missing-a.txt", "data/sub/missing-b.txt"]);

        var ex = await Assert.ThrowsAsync<AzFuseTransferException>(() => Sandbox.CreateClient().PrepareAsync(paths));

        Assert.Equal(["data/missing-a.txt", "data/sub/missing-b.txt"], ex.Failures.Select(f => f.Path).Order());
        Assert.All(ex.Failures, f => Assert.True(f.IsNotFound));
        Assert.Contains("data/missing-a.txt", ex.Message);
        Assert.Contains("data/sub/missing-b.txt", ex.Message);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal($"{i}", File.ReadAllText(Sandbox.CachePathOf($"{i}.txt")));
        }

        Assert.False(File.Exists(Sandbox.CachePathOf("missing-a.txt")));
    }

    [Fact]
    public async Task Prepare_ignores_paths_outside_every_mapping()
    {
        Sandbox.Engine = AzFuseTransferEngine.AzCopy;
        await Sandbox.UploadAsync("a.txt", "a");
        var logs = new CapturingLoggerFactory();

        Sandbox.CreateClient(logs).Prepare(["data/a.txt", "/etc/hostname", "elsewhere/x.txt"]);

        Assert.Equal("a", File.ReadAllText(Sandbox.CachePathOf("a.txt")));
        AssertAzCopyRuns(["BlobPipe"], logs);
    }

    [Fact]
    public async Task FailedAzCopy_job_is_reported_with_its_summary_and_its_kept_log_folder()
    {
        await Sandbox.UploadManyAsync([("a.txt", "a"u8.ToArray()), ("b.txt", "b"u8.ToArray())]);
        var endOfJob = """{"TimeStamp":"2026-01-01T00:00:00Z","MessageType":"EndOfJob","MessageContent":"{\"JobStatus\":\"Failed\",\"TransfersCompleted\":\"0\",\"TransfersFailed\":\"2\",\"TransfersSkipped\":\"0\",\"ErrorMsg\":\"disk quota exceeded\",\"FailedTransfers\":[]}","PromptDetails":{}}""";
        Sandbox.Engine = AzFuseTransferEngine.AzCopy;
        Sandbox.AzCopyPath = FakeAzCopy.Create(Path.Combine(Sandbox.Root, "fake"), $"echo '{endOfJob}'; exit 1");

        var ex = Assert.Throws<AzFuseTransferException>(() => Sandbox.CreateClient().Prepare(["data/a.txt", "data/b.txt"]));

        Assert.Equal(2, ex.Failures.Count);
        var message = ex.Failures[0].Exception.Message;
        Assert.Contains("exit code 1", message);
        Assert.Contains("Failed: 0 done, 2 failed", message);
        Assert.Contains("disk quota exceeded", message);
        Assert.Contains(Path.Combine(Sandbox.CacheRoot, ".azfuse", "azcopy"), message);
        Assert.False(File.Exists(Sandbox.CachePathOf("a.txt")));
    }

    [Fact]
    public async Task Prepare_with_a_path_that_escapes_its_mapping_fails_before_any_transfer()
    {
        await Sandbox.UploadAsync("a.txt", "a");

        Assert.Throws<ArgumentException>(() => Sandbox.CreateClient().Prepare(["data/a.txt", "data/../../x"]));

        Assert.Empty(AzCopy.Invocations);
    }
}
