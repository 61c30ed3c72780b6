using System.Collections.Concurrent;
using System.Text;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

/// <summary>Progress reports of Prepare (HTTP and an azcopy job) and of AsyncUpload scopes.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ProgressTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    [Fact]
    public async Task Prepare_over_http_reports_each_file_and_its_bytes_up_to_the_missing_total()
    {
        await Sandbox.UploadManyAsync(Enumerable.Range(0, 30).Select(i => ($"{i}.txt", Encoding.UTF8.GetBytes(new string('x', 100 + i)))));
        Directory.CreateDirectory(Sandbox.CacheRoot);
        File.WriteAllText(Sandbox.CachePathOf("0.txt"), "cached");
        var reports = new Recorder();

        Sandbox.CreateClient().Prepare(Enumerable.Range(0, 30).Select(i => $"data/{i}.txt"), reports);

        Assert.Empty(AzCopy.Invocations);
        Assert.Equal(0, reports.First.FilesDone);
        Assert.All(reports.All, r => Assert.Equal(29, r.FilesTotal));
        Assert.Equal(29, reports.Max.FilesDone);
        Assert.Equal(Enumerable.Range(1, 29).Sum(i => 100L + i), reports.Max.BytesDone);
        Assert.Null(reports.Max.BytesTotal);
        Assert.Equal(30, reports.All.Count); // the start, then one per file
    }

    [Fact]
    public async Task PrepareAsync_in_one_azcopy_job_reports_what_arrived_and_counts_missing_files_as_failed()
    {
        Sandbox.Engine = AzFuseTransferEngine.AzCopy;
        await Sandbox.UploadManyAsync(Enumerable.Range(0, 20).Select(i => ($"{i}.txt", new byte[1000])));
        var reports = new Recorder();
        var logs = new CapturingLoggerFactory();

        var ex = await Assert.ThrowsAsync<AzFuseTransferException>(() =>
            Sandbox.CreateClient(logs).PrepareAsync(Enumerable.Range(0, 21).Select(i => $"data/{i}.txt"), reports));

        AssertAzCopyRuns(["BlobLocal"], logs);
        Assert.Equal("data/20.txt", Assert.Single(ex.Failures).Path);
        Assert.Equal(21, reports.Max.FilesTotal);
        Assert.Equal(20, reports.Max.FilesDone);
        Assert.Equal(20_000, reports.Max.BytesDone);
    }

    [Fact]
    public async Task An_upload_scope_with_progress_reports_files_written_and_files_confirmed()
    {
        var client = Sandbox.CreateClient();
        var reports = new Recorder();

        await using (var scope = client.AsyncUpload(reports))
        {
            for (var i = 0; i < 12; i++)
            {
                await client.WriteAllTextAsync($"data/up/{i}.txt", new string('y', 10));
            }
        }

        Assert.Equal(12, reports.Max.FilesTotal);
        Assert.Equal(120, reports.Max.BytesTotal);
        Assert.Equal(12, reports.Max.FilesDone);
        Assert.Equal(120, reports.Max.BytesDone);
        Assert.Equal(0, reports.Max.FilesFailed);
        Assert.Equal(new string('y', 10), await Sandbox.DownloadTextAsync("up/11.txt"));
    }

    /// <summary>Keeps every report; reports come from transfer threads.</summary>
    private sealed class Recorder : IProgress<TransferProgress>
    {
        private readonly ConcurrentQueue<TransferProgress> _reports = new();

        public List<TransferProgress> All => [.. _reports];

        public TransferProgress First => All[0];

        /// <summary>The furthest report (reports from different threads may arrive slightly out of order).</summary>
        public TransferProgress Max => All.MaxBy(r => (r.FilesDone, r.FilesTotal, r.BytesDone))!;

        public void Report(TransferProgress value) => _reports.Enqueue(value);
    }
}
