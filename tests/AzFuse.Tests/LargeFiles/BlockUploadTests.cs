using System.Diagnostics;
using System.Security.Cryptography;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.LargeFiles;

/// <summary>
/// Parallel block uploads: byte-exact at every boundary with the file's MD5 stored, the block size
/// grown to stay under the block limit, a killed upload that leaves the old blob as it was and
/// resumes with only the blocks not staged yet; and every upload route, azcopy's included, storing
/// the Content-MD5 of what was sent.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlockUploadTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    private const int Chunk = 64 << 10;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Chunk - 1)]
    [InlineData(Chunk)]
    [InlineData(Chunk + 1)]
    [InlineData((3 * Chunk) + 7)]
    public async Task A_file_of_any_size_around_the_chunk_boundaries_is_uploaded_byte_exact_with_its_md5_stored(int size)
    {
        var content = RandomNumberGenerator.GetBytes(size);

        Client().WriteAllBytes("data/up.bin", content);

        Assert.Equal(content, await Sandbox.DownloadAsync("up.bin"));
        Assert.Equal(MD5.HashData(content), (await Sandbox.GetPropertiesAsync("up.bin"))!.Value.ContentMd5);
        Assert.Equal(size > Chunk ? (size + Chunk - 1) / Chunk : 0, await Sandbox.CommittedBlockCountAsync("up.bin"));
    }

    [Fact]
    public async Task A_file_that_would_need_more_blocks_than_the_service_allows_goes_in_larger_blocks()
    {
        var content = RandomNumberGenerator.GetBytes((5 << 20) + 7);
        var options = Options();
        options.BlockCountLimit = 3;

        new AzFuseClient(options).WriteAllBytes("data/grown.bin", content);

        Assert.Equal(content, await Sandbox.DownloadAsync("grown.bin"));
        Assert.Equal(MD5.HashData(content), (await Sandbox.GetPropertiesAsync("grown.bin"))!.Value.ContentMd5);
        Assert.Equal(3, await Sandbox.CommittedBlockCountAsync("grown.bin")); // 2 MiB blocks: the need, 1.67 MiB, in whole MiB
    }

    [Fact]
    public async Task An_upload_killed_half_way_leaves_the_old_blob_intact_and_resumes_with_only_the_blocks_not_staged()
    {
        const int BlockSize = 1 << 20;
        const int Blocks = 24;
        var old = RandomNumberGenerator.GetBytes(1000);
        await Sandbox.UploadAsync("model.bin", old);
        var content = RandomNumberGenerator.GetBytes(Blocks * BlockSize);
        var source = Path.Combine(Sandbox.Root, "model.bin");
        await File.WriteAllBytesAsync(source, content);

        await using var proxy = LinkProxy.Start(Server, new LinkProfile(TimeSpan.Zero, 4_000_000));
        Sandbox.RouteThrough(proxy);
        var environment = new Dictionary<string, string>(Sandbox.EnvironmentVariables)
        {
            ["AZFUSE_TRANSFER_ENGINE"] = "http",
            ["AZFUSE_TEST_CHUNK_SIZE"] = BlockSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AZFUSE_TEST_CHUNKS_IN_FLIGHT"] = "2",
        };
        using (var helper = HelperProcess.Start(environment, Sandbox.Root, "write-file", "data/model.bin", source))
        {
            var deadline = Stopwatch.StartNew();
            while (await Sandbox.UncommittedBlockCountAsync("model.bin") < Blocks / 2)
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "the helper never got half-way");
                Assert.False(helper.HasExited, $"the helper finished (exit {(helper.HasExited ? helper.ExitCode : 0)}) before it could be killed");
                await Task.Delay(5);
            }

            helper.Kill(); // SIGKILL: the commit never happens
            await helper.WaitForExitAsync();
        }

        // What the helper had sent before it died still reaches the service (as on a real network):
        // count the staged blocks once the proxy has delivered everything.
        proxy.Profile = LinkProfile.Loopback;
        for (var waited = Stopwatch.StartNew(); proxy.OpenConnections > 0;)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "the proxy never drained");
            await Task.Delay(5);
        }

        Assert.Equal(old, await Sandbox.DownloadAsync("model.bin"));
        Assert.InRange(await Sandbox.UncommittedBlockCountAsync("model.bin"), Blocks / 2, Blocks);

        proxy.ResetCounters();
        var options = Options();
        options.ChunkSize = BlockSize;
        var logs = new CapturingLoggerFactory();
        Assert.Equal(1, new AzFuseClient(options, logs).ResumePendingUploads());

        // How many blocks the resumed upload found staged (event 63): the service may still have been
        // taking in the last block the helper sent when the test counted them above.
        var found = logs.Lines.Select(l => System.Text.RegularExpressions.Regex.Match(l, @"\[63\].*; (\d+) were staged already")).Single(m => m.Success);
        var staged = int.Parse(found.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(staged, Blocks / 2, Blocks - 1);

        Assert.Equal(content, await Sandbox.DownloadAsync("model.bin"));
        Assert.Equal(MD5.HashData(content), (await Sandbox.GetPropertiesAsync("model.bin"))!.Value.ContentMd5);
        Assert.Equal(Blocks - staged, proxy.Requests.Count(r => r.StartsWith("PUT ", StringComparison.Ordinal) && r.Contains("comp=block&", StringComparison.Ordinal)));
        Assert.Equal(1, proxy.Requests.Count(r => r.StartsWith("PUT ", StringComparison.Ordinal) && r.Contains("comp=blocklist", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(AzFuseTransferEngine.Http, 1000)] // one Put Blob
    [InlineData(AzFuseTransferEngine.Http, (3 * Chunk) + 7)] // blocks
    [InlineData(AzFuseTransferEngine.AzCopy, 1000)] // azcopy's pipe
    [InlineData(AzFuseTransferEngine.AzCopy, (257 << 20) + 7)] // azcopy's pipe, above its former threshold (256 MiB): it stores no MD5 itself
    public async Task Every_upload_route_stores_the_md5_of_what_was_sent(AzFuseTransferEngine engine, int size)
    {
        Sandbox.Engine = engine;
        var options = Options();
        options.TransferEngine = engine;
        var logs = new CapturingLoggerFactory();
        var client = new AzFuseClient(options, logs);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);

        // Written in pieces: a 257 MiB array would be a test of the test machine's memory.
        client.Write("data/route.bin", stream =>
        {
            var random = new Random(size);
            var piece = new byte[1 << 20];
            for (var left = size; left > 0; left -= piece.Length)
            {
                random.NextBytes(piece);
                var count = Math.Min(left, piece.Length);
                md5.AppendData(piece, 0, count);
                stream.Write(piece, 0, count);
            }
        });

        var stored = await Sandbox.GetPropertiesAsync("route.bin");
        Assert.Equal(size, stored!.Value.Length);
        Assert.Equal(md5.GetHashAndReset(), stored.Value.ContentMd5);
        AssertAzCopyRuns(engine == AzFuseTransferEngine.AzCopy ? ["PipeBlob"] : [], logs);
    }

    [Fact]
    public async Task An_azcopy_job_upload_stores_the_md5_of_every_file_large_ones_included()
    {
        Sandbox.Engine = AzFuseTransferEngine.AzCopy;
        var client = Sandbox.CreateClient();
        var contents = new[] { RandomNumberGenerator.GetBytes(1000), RandomNumberGenerator.GetBytes((20 << 20) + 3) };

        // Two pending writes (their uploads denied), then resumed together: one azcopy job.
        Sandbox.WriteReadOnlySas();
        for (var i = 0; i < contents.Length; i++)
        {
            Assert.Throws<AzFuseTransferException>(() => client.WriteAllBytes($"data/job/{i}.bin", contents[i]));
        }

        Sandbox.WriteFreshSas();
        Assert.Equal(2, client.ResumePendingUploads());

        Assert.Equal("LocalBlob", AzCopy.Invocations[^1]);
        for (var i = 0; i < contents.Length; i++)
        {
            Assert.Equal(MD5.HashData(contents[i]), (await Sandbox.GetPropertiesAsync($"job/{i}.bin"))!.Value.ContentMd5);
        }
    }

    private AzFuseOptions Options()
    {
        var options = Sandbox.CreateOptions();
        options.ChunkSize = Chunk;
        options.ChunksInFlight = 3;
        options.TransferEngine = AzFuseTransferEngine.Http;
        return options;
    }

    private AzFuseClient Client() => new(Options());
}
