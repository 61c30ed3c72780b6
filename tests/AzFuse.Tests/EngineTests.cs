using System.Security.Cryptography;
using AzFuse.Remote;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

/// <summary>The transfer planner and its engines: same bytes whichever engine, integrity checked by each, azcopy optional.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class EngineTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    private static readonly int[] s_sizes = [0, 1, 4096, 3 * 1024 * 1024 + 5];

    [Theory]
    [InlineData(AzFuseTransferEngine.Auto)]
    [InlineData(AzFuseTransferEngine.Http)]
    [InlineData(AzFuseTransferEngine.AzCopy)]
    public async Task Every_engine_fills_the_cache_with_byte_identical_files_on_Open_and_Prepare(AzFuseTransferEngine engine)
    {
        var contents = s_sizes.Select(RandomNumberGenerator.GetBytes).ToArray();
        await Sandbox.UploadManyAsync(contents.SelectMany((c, i) => new[] { ($"open/{i}.bin", c), ($"prep/{i}.bin", c) }));
        Sandbox.Engine = engine;
        var options = Sandbox.CreateOptions();
        options.AzCopyMinFileSize = 1024 * 1024; // so that auto sends the 3 MB file through azcopy
        options.AzCopyMinBatchCount = 2;
        var client = new AzFuseClient(options);

        for (var i = 0; i < contents.Length; i++)
        {
            Assert.Equal(contents[i], client.ReadAllBytes($"data/open/{i}.bin"));
        }

        client.Prepare(Enumerable.Range(0, contents.Length).Select(i => $"data/prep/{i}.bin"));

        for (var i = 0; i < contents.Length; i++)
        {
            Assert.Equal(contents[i], File.ReadAllBytes(Sandbox.CachePathOf($"open/{i}.bin")));
            Assert.Equal(contents[i], File.ReadAllBytes(Sandbox.CachePathOf($"prep/{i}.bin")));
        }

        // Routes, in order; a transient failure retried would repeat a run, hence the Distinct.
        var routes = string.Join(",", AzCopy.Invocations.Distinct());
        Assert.Equal(engine == AzFuseTransferEngine.Http ? "" : "BlobPipe,BlobLocal", routes);
        var (fewest, most) = engine switch
        {
            AzFuseTransferEngine.AzCopy => (4, 8), // every Open
            AzFuseTransferEngine.Auto => (1, 2), // only the large file
            _ => (0, 0),
        };
        Assert.InRange(AzCopy.Invocations.Count(r => r == "BlobPipe"), fewest, most);
    }

    [Theory]
    [InlineData(AzFuseTransferEngine.Auto, false)]
    [InlineData(AzFuseTransferEngine.Http, false)]
    [InlineData(AzFuseTransferEngine.AzCopy, false)]
    [InlineData(AzFuseTransferEngine.AzCopy, true)]
    public async Task A_blob_whose_bytes_do_not_match_its_stored_md5_is_rejected_by_every_engine(AzFuseTransferEngine engine, bool asJob)
    {
        await Sandbox.UploadManyAsync([("bad.bin", RandomNumberGenerator.GetBytes(100_000)), ("good.bin", "fine"u8.ToArray())]);
        await Sandbox.CorruptStoredMd5Async("bad.bin");
        Sandbox.Engine = engine;
        var logs = new CapturingLoggerFactory();
        var client = Sandbox.CreateClient(logs);

        Exception failure;
        if (asJob)
        {
            var ex = Assert.Throws<AzFuseTransferException>(() => client.Prepare(["data/bad.bin", "data/good.bin"]));
            failure = Assert.Single(ex.Failures).Exception;
            AssertAzCopyRuns(["BlobLocal"], logs);
            Assert.Equal("fine", File.ReadAllText(Sandbox.CachePathOf("good.bin")));
        }
        else
        {
            failure = Assert.Throws<AzFuseException>(() => client.Open("data/bad.bin", FileMode.Open));
        }

        Assert.Contains("azfuse_data/bad.bin", failure.Message);
        Assert.Contains("MD5", failure.Message);
        Assert.False(File.Exists(Sandbox.CachePathOf("bad.bin")), "a corrupt download must leave nothing in the cache");
        Assert.DoesNotContain(Directory.EnumerateFiles(Sandbox.CacheRoot, "*bad.bin*", SearchOption.AllDirectories), f => !f.EndsWith(".azfuse-lock", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(AzFuseTransferEngine.Auto, false)]
    [InlineData(AzFuseTransferEngine.Http, false)]
    [InlineData(AzFuseTransferEngine.AzCopy, false)]
    [InlineData(AzFuseTransferEngine.AzCopy, true)]
    public async Task With_VerifyDownloads_off_no_engine_checks_the_md5_and_the_bytes_arrive_as_stored(AzFuseTransferEngine engine, bool asJob)
    {
        var content = RandomNumberGenerator.GetBytes(100_000);
        await Sandbox.UploadManyAsync([("bad.bin", content), ("good.bin", "fine"u8.ToArray())]);
        await Sandbox.CorruptStoredMd5Async("bad.bin"); // what only an MD5 check can see
        Sandbox.Engine = engine;
        var options = Sandbox.CreateOptions();
        options.VerifyDownloads = false;
        var logs = new CapturingLoggerFactory();
        var client = new AzFuseClient(options, logs);

        if (asJob)
        {
            client.Prepare(["data/bad.bin", "data/good.bin"]);
            AssertAzCopyRuns(["BlobLocal"], logs);
            Assert.Equal(content, File.ReadAllBytes(Sandbox.CachePathOf("bad.bin")));
        }
        else
        {
            Assert.Equal(content, client.ReadAllBytes("data/bad.bin"));
        }

        Assert.Equal(content, File.ReadAllBytes(Sandbox.CachePathOf("bad.bin")));
    }

    [Theory]
    [InlineData(AzFuseTransferEngine.Auto)]
    [InlineData(AzFuseTransferEngine.Http)]
    [InlineData(AzFuseTransferEngine.AzCopy)]
    public async Task Uploads_store_the_content_md5_with_every_engine_alone_and_in_batches(AzFuseTransferEngine engine)
    {
        Sandbox.Engine = engine;
        var client = Sandbox.CreateClient();
        var single = RandomNumberGenerator.GetBytes(70_000);
        var batch = Enumerable.Range(0, 5).Select(_ => RandomNumberGenerator.GetBytes(1000)).ToArray();

        client.WriteAllBytes("data/up/single.bin", single);
        using (client.AsyncUpload())
        {
            for (var i = 0; i < batch.Length; i++)
            {
                client.WriteAllBytes($"data/up/{i}.bin", batch[i]);
            }
        }

        foreach (var (name, content) in batch.Select((c, i) => ($"up/{i}.bin", c)).Append(("up/single.bin", single)))
        {
            var properties = await Sandbox.GetPropertiesAsync(name);
            Assert.NotNull(properties);
            Assert.Equal(MD5.HashData(content), properties.Value.ContentMd5);
            Assert.Equal(content, await Sandbox.DownloadAsync(name));
        }

        Assert.Equal(engine == AzFuseTransferEngine.AzCopy, AzCopy.Invocations.Count > 0);
    }

    [Fact]
    public async Task Auto_sends_small_files_and_small_batches_over_http_and_large_ones_to_azcopy()
    {
        await Sandbox.UploadManyAsync([("small.bin", new byte[999]), ("large.bin", new byte[1000]), ("b/1", [1]), ("b/2", [2]), ("b/3", [3]), ("c/1", [1]), ("c/2", [2])]);
        var options = Sandbox.CreateOptions();
        options.AzCopyMinFileSize = 1000;
        options.AzCopyMinBatchCount = 3;
        var logs = new CapturingLoggerFactory();
        var client = new AzFuseClient(options, logs);

        client.ReadAllBytes("data/small.bin");
        client.Prepare(["data/c/1", "data/c/2"]);
        AssertAzCopyRuns([], logs);

        client.ReadAllBytes("data/large.bin");
        AssertAzCopyRuns(["BlobPipe"], logs);

        client.Prepare(["data/b/1", "data/b/2", "data/b/3"]);
        AssertAzCopyRuns(["BlobPipe", "BlobLocal"], logs);

        client.WriteAllBytes("data/w/small.bin", new byte[999]);
        client.WriteAllBytes("data/w/large.bin", new byte[1000]);
        AssertAzCopyRuns(["BlobPipe", "BlobLocal", "PipeBlob"], logs);
    }

    [Fact]
    public async Task Without_azcopy_auto_serves_everything_over_http_and_says_so_once()
    {
        await Sandbox.UploadManyAsync(Enumerable.Range(0, 5).Select(i => ($"{i}.txt", new[] { (byte)('0' + i) })));
        Sandbox.AzCopyPath = Path.Combine(Sandbox.Root, "no-such-azcopy");
        var logs = new CapturingLoggerFactory();
        var options = Sandbox.CreateOptions();
        options.AzCopyMinFileSize = 1; // every file would go to azcopy, were it there
        options.AzCopyMinBatchCount = 2;
        var client = new AzFuseClient(options, logs);

        Assert.Equal("0", client.ReadAllText("data/0.txt"));
        client.Prepare(Enumerable.Range(1, 4).Select(i => $"data/{i}.txt"));
        client.WriteAllText("data/w/one.txt", "one");
        using (client.AsyncUpload())
        {
            client.WriteAllText("data/w/two.txt", "two");
            client.WriteAllText("data/w/three.txt", "three");
        }

        Assert.Equal("4", File.ReadAllText(Sandbox.CachePathOf("4.txt")));
        Assert.Equal("three", await Sandbox.DownloadTextAsync("w/three.txt"));
        var warning = Assert.Single(logs.Lines, l => l.Contains("[20]", StringComparison.Ordinal));
        Assert.Contains("npm install @azure-tools/azcopy-linux", warning);
    }

    [Fact]
    public async Task Without_azcopy_forced_azcopy_fails_with_the_install_hint()
    {
        await Sandbox.UploadAsync("a.txt", "a");
        Sandbox.AzCopyPath = Path.Combine(Sandbox.Root, "no-such-azcopy");
        Sandbox.Engine = AzFuseTransferEngine.AzCopy;

        var forced = Assert.Throws<AzCopyNotFoundException>(() => Sandbox.CreateClient().Open("data/a.txt", FileMode.Open));

        Assert.Contains("AZFUSE_AZCOPY_PATH", forced.Message);
        Assert.Contains("npm install", forced.Message);
        Assert.False(File.Exists(Sandbox.CachePathOf("a.txt")));
    }

    [Fact]
    public async Task Without_azcopy_a_file_too_large_for_one_request_uploads_in_blocks_with_its_md5_stored()
    {
        Sandbox.AzCopyPath = Path.Combine(Sandbox.Root, "no-such-azcopy");
        var content = TestContent.For(7, (int)BlobService.SingleRequestUploadLimit + (3 << 20) + 7);

        Sandbox.CreateClient().WriteAllBytes("data/big.bin", content);

        Assert.Equal(content, await Sandbox.DownloadAsync("big.bin"));
        var properties = await Sandbox.GetBlobPropertiesAsync("big.bin");
        Assert.Equal(MD5.HashData(content), properties!.ContentHash);
        Assert.True(await Sandbox.CommittedBlockCountAsync("big.bin") > 1, "sent as blocks");
        Assert.Equal("application/octet-stream", properties.ContentType);
    }

    [Theory]
    [InlineData(null, AzFuseTransferEngine.Auto)]
    [InlineData("", AzFuseTransferEngine.Auto)]
    [InlineData("auto", AzFuseTransferEngine.Auto)]
    [InlineData(" HTTP ", AzFuseTransferEngine.Http)]
    [InlineData("azcopy", AzFuseTransferEngine.AzCopy)]
    public void Transfer_engine_variable_is_read_case_insensitively(string? value, AzFuseTransferEngine expected) =>
        Assert.Equal(expected, AzFuseOptions.ParseEngine(value));

    [Fact]
    public void Unknown_transfer_engine_is_a_configuration_error_naming_the_choices()
    {
        var ex = Assert.Throws<AzFuseConfigurationException>(() => AzFuseOptions.ParseEngine("fast"));
        Assert.Contains("auto, azcopy or http", ex.Message);
    }
}
