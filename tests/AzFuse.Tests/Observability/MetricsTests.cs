using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Observability;

/// <summary>Each instrument of the "AzFuse" meter moves as the README documents it, and GetUsage agrees.</summary>
[Collection(ObservabilityCollection.Name)]
public sealed class MetricsTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    private static readonly (string, object) s_download = ("azfuse.transfer.direction", "download");
    private static readonly (string, object) s_upload = ("azfuse.transfer.direction", "upload");
    private static readonly (string, object) s_http = ("azfuse.transfer.route", "http");

    [Fact]
    public async Task A_miss_counts_a_miss_its_latency_and_the_bytes_downloaded_over_http_and_a_hit_counts_a_hit()
    {
        await Sandbox.UploadAsync("a.bin", new byte[1000]);
        await Sandbox.UploadAsync("b.bin", new byte[3000]);
        var client = Sandbox.CreateClient();
        using var recorder = new MeasurementRecorder();

        client.ReadAllBytes("data/a.bin");
        client.ReadAllBytes("data/a.bin");
        client.ReadAllBytes("data/b.bin");

        Assert.Equal(1, recorder.Sum("azfuse.cache.hits"));
        Assert.Equal(2, recorder.Sum("azfuse.cache.misses"));
        Assert.Equal(2, recorder.Count("azfuse.cache.miss.duration"));
        Assert.Equal(4000, recorder.Sum("azfuse.transfer.bytes", s_download, s_http));
        Assert.Equal(2, recorder.Count("azfuse.transfer.duration", s_download, s_http));
        Assert.Equal(2, recorder.Sum("azfuse.storage.requests", ("azfuse.request.kind", "read")));
        Assert.Equal(4000, recorder.Sum("azfuse.storage.io", ("network.io.direction", "receive")));

        var usage = client.GetUsage();
        Assert.Equal(2, usage.ReadRequests);
        Assert.Equal(0, usage.WriteRequests);
        Assert.Equal(4000, usage.BytesDownloaded);
        Assert.Equal(0, usage.AzCopyBytesDownloaded);
    }

    [Fact]
    public async Task An_eviction_is_counted_and_the_bounded_cache_size_is_observed_from_its_ledger()
    {
        Sandbox.SetCachePolicy(maxCacheSize: "10KB");
        for (var i = 0; i < 3; i++)
        {
            await Sandbox.UploadAsync($"e/{i}.bin", new byte[4000]);
        }

        var client = Sandbox.CreateClient();
        using var recorder = new MeasurementRecorder();

        for (var i = 0; i < 3; i++)
        {
            client.ReadAllBytes($"data/e/{i}.bin");
        }

        Assert.Equal(1, recorder.Sum("azfuse.cache.evictions"));
        Assert.Equal(1, client.GetCacheStats().Evictions);
        var size = Assert.Single(recorder.Observe(), m => m.Instrument == "azfuse.cache.size" && Equals(m.Tags["azfuse.cache.folder"], Sandbox.CacheRoot));
        Assert.Equal(8000, size.Value);
    }

    [Fact]
    public async Task Queued_uploads_are_observed_as_pending_until_they_are_uploaded_through_azcopy()
    {
        var (options, release) = HoldAzCopy();
        var client = new AzFuseClient(options);
        using var recorder = new MeasurementRecorder();

        var scope = client.AsyncUpload();
        client.WriteAllBytes("data/up/1.bin", new byte[100]);
        client.WriteAllBytes("data/up/2.bin", new byte[250]);

        var pending = recorder.Observe();
        Assert.Equal(2, pending.Single(m => m.Instrument == "azfuse.uploads.pending").Value);
        Assert.Equal(350, pending.Single(m => m.Instrument == "azfuse.uploads.pending.size").Value);

        File.WriteAllText(release, string.Empty);
        scope.Dispose();

        var after = recorder.Observe();
        Assert.Equal(0, after.Single(m => m.Instrument == "azfuse.uploads.pending").Value);
        Assert.Equal(350, recorder.Sum("azfuse.transfer.bytes", s_upload));
        Assert.Equal(0, recorder.Sum("azfuse.transfer.bytes", s_upload, s_http));
        Assert.Equal(0, recorder.Sum("azfuse.transfer.failures"));
        Assert.Equal(350, client.GetUsage().AzCopyBytesUploaded);
        Assert.Equal(250, (await Sandbox.DownloadAsync("up/2.bin"))?.Length);
    }

    [Fact]
    public async Task A_download_that_fails_for_good_counts_its_retries_and_one_failure()
    {
        await Sandbox.UploadAsync("gone.bin", new byte[10]);
        var options = Sandbox.CreateOptions();
        options.TransferAttempts = 3;
        options.RetryDelay = TimeSpan.FromMilliseconds(20);
        var client = new AzFuseClient(options);
        using var recorder = new MeasurementRecorder();

        await Server.StopAsync();
        try
        {
            Assert.ThrowsAny<AzFuseException>(() => client.ReadAllBytes("data/gone.bin"));
        }
        finally
        {
            await Server.RestartAsync();
        }

        Assert.Equal(2, recorder.Sum("azfuse.transfer.retries"));
        Assert.Equal(1, recorder.Sum("azfuse.transfer.failures", s_download));
        Assert.Equal(0, recorder.Sum("azfuse.cache.misses"));
    }
}
