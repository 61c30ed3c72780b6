using System.Security.Cryptography;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.LargeFiles;

/// <summary>
/// Parallel ranged downloads: byte-exact at every boundary of the range layout, each range asked
/// for once (through a proxy that lists them), a broken range fetched again alone, a blob that
/// changes midway downloaded again from the start.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RangedDownloadTests(AzuriteFixture azurite) : ProxiedSandboxTest(azurite)
{
    private const int Chunk = 64 << 10;

    /// <summary>Far slower than any MD5: the hash waits for every piece that arrives.</summary>
    private static readonly LinkProfile s_slowLink = new(TimeSpan.Zero, 2_000_000);

    public static TheoryData<int, bool> Sizes
    {
        get
        {
            var data = new TheoryData<int, bool>();
            foreach (var size in new[] { 0, 1, Chunk - 1, Chunk, Chunk + 1, (3 * Chunk) + 7 })
            {
                data.Add(size, true);
                data.Add(size, false);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task A_blob_of_any_size_around_the_chunk_boundaries_arrives_byte_exact_in_ranges_of_the_chunk_size(int size, bool storedMd5)
    {
        var content = RandomNumberGenerator.GetBytes(size);
        await (storedMd5 ? Sandbox.UploadAsync("blob.bin", content) : Sandbox.UploadWithoutMd5Async("blob.bin", content));
        var client = Client();

        Assert.Equal(content, client.ReadAllBytes("data/blob.bin"));

        var ranges = GetRanges();
        var expected = size == 0
            ? new List<string?> { $"bytes=0-{Chunk - 1}", null } // no range of an empty blob exists: then the whole of it
            // The first GET asks for a whole chunk: it learns the size from the answer.
            : Enumerable.Range(0, (size + Chunk - 1) / Chunk).Select(i => (string?)$"bytes={i * Chunk}-{(i == 0 ? Chunk : Math.Min((i * Chunk) + Chunk, size)) - 1}").ToList();
        Assert.Equal(expected.Order(), ranges.Order());

        client.ClearCache("data/blob.bin");
        client.Prepare(["data/blob.bin"]);
        Assert.Equal(content, File.ReadAllBytes(Sandbox.CachePathOf("blob.bin")));
    }

    [Theory]
    [InlineData(100)] // in the response's headers: the request fails, and is tried again
    [InlineData(20_000)] // in its body: the rest of the body is asked for again
    public async Task A_connection_reset_in_the_middle_of_one_range_fetches_that_range_again_and_no_other(int afterBytes)
    {
        var content = RandomNumberGenerator.GetBytes((5 * Chunk) + 100);
        await Sandbox.UploadAsync("reset.bin", content);
        Proxy.ResetOnce(head => head.Contains($"x-ms-range: bytes={2 * Chunk}-", StringComparison.OrdinalIgnoreCase), afterBytes);

        Assert.Equal(content, Client().ReadAllBytes("data/reset.bin"));

        Assert.True(Proxy.HasReset, "the proxy cut the range's response");

        // The cut range is asked for again (from where it broke: the SDK resumes a broken body with
        // the same ETag), and no other range is.
        var ranges = GetRanges();
        var again = ranges.Where(r => r!.EndsWith($"-{(3 * Chunk) - 1}", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, again.Count);
        Assert.Equal($"bytes={2 * Chunk}-{(3 * Chunk) - 1}", again[0]);
        Assert.Equal(6 + 1, ranges.Count);
    }

    [Fact]
    public async Task A_blob_rewritten_while_it_downloads_is_downloaded_again_from_the_start_never_mixed()
    {
        var old = RandomNumberGenerator.GetBytes(40 * Chunk);
        var replacement = RandomNumberGenerator.GetBytes(30 * Chunk);
        await Sandbox.UploadAsync("moving.bin", old);
        Proxy.Profile = new LinkProfile(TimeSpan.Zero, 1_000_000);
        var logs = new CapturingLoggerFactory();
        var options = Options();
        options.ChunksInFlight = 2;
        var client = new AzFuseClient(options, logs);

        var reading = Task.Run(() => client.ReadAllBytes("data/moving.bin"));
        while (Proxy.Requests.Count(r => r.StartsWith("GET ", StringComparison.Ordinal)) < 4)
        {
            Assert.False(reading.IsCompleted, "the download finished before the blob could be rewritten");
            await Task.Delay(5);
        }

        await Sandbox.UploadAsync("moving.bin", replacement);
        Proxy.Profile = LinkProfile.Loopback;

        Assert.Equal(replacement, await reading);
        Assert.Contains(logs.Lines, l => l.Contains("[62]", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)] // through a slow link: the hash runs beside the ranges and starts more of them
    [InlineData(true, true)]
    public async Task A_range_whose_bytes_do_not_match_the_stored_md5_of_the_blob_leaves_nothing_cached(bool async, bool slowLink)
    {
        await Sandbox.UploadAsync("bad.bin", RandomNumberGenerator.GetBytes((12 * Chunk) + 1));
        await Sandbox.CorruptStoredMd5Async("bad.bin");
        Proxy.Profile = slowLink ? s_slowLink : LinkProfile.Loopback;
        var client = Client();

        var ex = async
            ? await Assert.ThrowsAsync<AzFuseException>(() => client.ReadAllBytesAsync("data/bad.bin"))
            : Assert.Throws<AzFuseException>(() => client.ReadAllBytes("data/bad.bin"));

        Assert.Contains("azfuse_data/bad.bin", ex.Message);
        Assert.Contains("MD5", ex.Message);
        Assert.DoesNotContain(Directory.EnumerateFiles(Sandbox.CacheRoot, "*bad.bin*", SearchOption.AllDirectories), f => !f.EndsWith(".azfuse-lock", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)] // verified as a whole: a few ranges first, more while the hash outpaces the link
    [InlineData(false)] // each range verified alone: all in flight from the start
    public async Task Through_a_slow_link_a_download_widens_to_all_its_ranges_in_flight_and_arrives_byte_exact(bool storedMd5)
    {
        var content = RandomNumberGenerator.GetBytes((16 * Chunk) + 5);
        await (storedMd5 ? Sandbox.UploadAsync("slow.bin", content) : Sandbox.UploadWithoutMd5Async("slow.bin", content));
        Proxy.Profile = s_slowLink;
        var logs = new CapturingLoggerFactory();
        var options = Options();
        options.ChunksInFlight = 4;

        Assert.Equal(content, new AzFuseClient(options, logs).ReadAllBytes("data/slow.bin"));

        Assert.Contains(logs.Lines, l => l.Contains("[67]", StringComparison.Ordinal) && l.Contains("up to 4 of 4 range(s)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task With_VerifyDownloads_off_a_blob_is_fetched_in_whole_chunks_and_its_md5_is_not_checked(bool storedMd5)
    {
        // 9 MiB in chunks of 8 MiB: verified, a blob without a stored MD5 would go as ranges of at most 4 MiB (4 + 4 + 1).
        var content = RandomNumberGenerator.GetBytes(9 << 20);
        await (storedMd5 ? Sandbox.UploadAsync("plain.bin", content) : Sandbox.UploadWithoutMd5Async("plain.bin", content));
        if (storedMd5)
        {
            await Sandbox.CorruptStoredMd5Async("plain.bin");
        }

        var options = Options();
        options.ChunkSize = 8 << 20;
        options.VerifyDownloads = false;
        Proxy.ResetCounters();

        var client = new AzFuseClient(options);
        Assert.Equal(content, client.ReadAllBytes("data/plain.bin"));

        Assert.Equal(["bytes=0-4194303", "bytes=4194304-9437183"], GetRanges().Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(0, Proxy.RangeMd5Requests);

        // Nor does a range read of an uncached blob, or a streamed read, ask for one.
        client.ClearCache("data/plain.bin");
        var piece = new byte[(5 << 20) + 3];
        Assert.Equal(piece.Length, client.ReadRange("data/plain.bin", 100, piece));
        Assert.Equal(content.AsSpan(100, piece.Length).ToArray(), piece);
        using (var stream = client.Open("data/plain.bin", FileMode.Open, new OpenOptions { Streaming = true }))
        {
            stream.Position = 6 << 20;
            stream.ReadExactly(piece.AsSpan(0, 1000));
            Assert.Equal(content.AsSpan(6 << 20, 1000).ToArray(), piece.AsSpan(0, 1000).ToArray());
        }

        Assert.Equal(0, Proxy.RangeMd5Requests);
    }

    [Fact]
    public async Task Verified_a_blob_without_a_stored_md5_asks_for_the_md5_of_every_range()
    {
        var content = RandomNumberGenerator.GetBytes((3 * Chunk) + 5);
        await Sandbox.UploadWithoutMd5Async("checked.bin", content);
        Proxy.ResetCounters();

        Assert.Equal(content, Client().ReadAllBytes("data/checked.bin"));

        // Every range GET asks (a range retried after a failure asks again).
        Assert.Equal(4, GetRanges().Distinct().Count());
        Assert.Equal(GetRanges().Count, Proxy.RangeMd5Requests);
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
