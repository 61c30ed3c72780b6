using System.Security.Cryptography;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.LargeFiles;

/// <summary>ReadRange: from the cache when cached (no request), else by ranged GETs of exactly the bytes asked for; never a whole download.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class RangeReadTests(AzuriteFixture azurite) : ProxiedSandboxTest(azurite)
{

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_range_of_an_uncached_file_is_one_ranged_get_of_exactly_those_bytes_and_caches_nothing(bool storedMd5)
    {
        var content = RandomNumberGenerator.GetBytes(3_000_000);
        await (storedMd5 ? Sandbox.UploadAsync("big.bin", content) : Sandbox.UploadWithoutMd5Async("big.bin", content));
        var client = Sandbox.CreateClient();
        var buffer = new byte[4096];

        Assert.Equal(4096, client.ReadRange("data/big.bin", 1_234_567, buffer));
        Assert.Equal(content.AsSpan(1_234_567, 4096).ToArray(), buffer);

        Assert.Equal(["GET " + BlobPath("big.bin") + " range=bytes=1234567-1238662"], Proxy.Requests);
        Assert.Empty(Directory.Exists(Sandbox.CacheRoot) ? Directory.EnumerateFileSystemEntries(Sandbox.CacheRoot) : []);
    }

    [Fact]
    public async Task A_range_of_a_cached_file_is_read_from_the_cache_without_a_request()
    {
        var content = RandomNumberGenerator.GetBytes(100_000);
        await Sandbox.UploadAsync("cached.bin", content);
        var client = Sandbox.CreateClient();
        client.ReadAllBytes("data/cached.bin");
        Proxy.ResetCounters();
        var buffer = new byte[1000];

        Assert.Equal(1000, await client.ReadRangeAsync("data/cached.bin", 50_000, buffer));

        Assert.Equal(content.AsSpan(50_000, 1000).ToArray(), buffer);
        Assert.Empty(Proxy.Requests);
    }

    [Fact]
    public async Task A_range_past_four_mib_is_fetched_in_verified_pieces_and_a_range_at_the_end_is_cut_short()
    {
        var content = RandomNumberGenerator.GetBytes((9 << 20) + 11);
        await Sandbox.UploadAsync("large.bin", content);
        var client = Sandbox.CreateClient();

        var buffer = new byte[(9 << 20) - 5];
        Assert.Equal(buffer.Length, await client.ReadRangeAsync("data/large.bin", 7, buffer));
        Assert.Equal(content.AsSpan(7, buffer.Length).ToArray(), buffer);
        Assert.Equal(3, Proxy.Requests.Count(r => r.StartsWith("GET ", StringComparison.Ordinal)));

        var tail = new byte[100];
        Assert.Equal(11, client.ReadRange("data/large.bin", 9 << 20, tail));
        Assert.Equal(content.AsSpan(9 << 20).ToArray(), tail.AsSpan(0, 11).ToArray());
        Assert.Equal(0, client.ReadRange("data/large.bin", content.Length, tail));
        Assert.Equal(0, client.ReadRange("data/large.bin", content.Length + 1000, tail));
    }

    [Fact]
    public async Task A_missing_file_a_negative_offset_and_a_disabled_client_behave_as_files_do()
    {
        var client = Sandbox.CreateClient();
        Assert.Throws<FileNotFoundException>(() => client.ReadRange("data/none.bin", 0, new byte[10]));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.ReadRange("data/none.bin", -1, new byte[10]));

        var local = Path.Combine(Sandbox.Root, "local.bin");
        await File.WriteAllBytesAsync(local, [1, 2, 3, 4, 5]);
        var buffer = new byte[10];
        Assert.Equal(2, await new AzFuseClient(new AzFuseOptions()).ReadRangeAsync(local, 3, buffer));
        Assert.Equal(new byte[] { 4, 5 }, buffer[..2]);
    }

    private string BlobPath(string relative) => $"/{AzuriteServer.AccountName}/{Sandbox.ContainerName}/{AzFuseSandbox.RemotePrefix}/{relative}";
}
