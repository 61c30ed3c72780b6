using System.Security.Cryptography;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

/// <summary><c>max_cache_size</c>: eviction of the least recently opened files, safe across processes.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class EvictionTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    private const long Limit = 2_000_000;

    [Fact]
    public async Task A_bounded_cache_stays_under_its_limit_across_200_fills_while_files_open_in_another_process_survive()
    {
        Sandbox.SetCachePolicy(maxCacheSize: "2MB");
        await Sandbox.UploadManyAsync(Enumerable.Range(0, 200).Select(i => ($"set/{i}.bin", TestContent.ForFile(i))));
        await Sandbox.UploadManyAsync(Enumerable.Range(0, 2).Select(i => ($"held/{i}.bin", TestContent.ForFile(1000 + i))));

        // Opened first, so the least recently opened: the first files eviction would pick.
        var holder = HelperProcess.Start(Sandbox.EnvironmentVariables, Sandbox.Root, "hold", "data/held/0.bin", "data/held/1.bin");
        Assert.Equal("held", await holder.StandardOutput.ReadLineAsync());

        var client = Sandbox.CreateClient();
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(TestContent.ForFile(i), client.ReadAllBytes($"data/set/{i}.bin"));
            var bytes = client.GetCacheStats().Bytes;
            Assert.True(bytes <= Limit, $"after fill {i} the cache holds {bytes} bytes, over its limit of {Limit}");
        }

        var stats = client.GetCacheStats();
        Assert.Equal(200, stats.Misses);
        Assert.True(stats.Evictions >= 100, $"{stats.Evictions} evictions");
        Assert.True(File.Exists(Sandbox.CachePathOf("held/0.bin")) && File.Exists(Sandbox.CachePathOf("held/1.bin")), "a file open in another process was evicted");
        Assert.True(File.Exists(Sandbox.CachePathOf("set/199.bin")), "the file just opened was evicted");

        await holder.StandardInput.WriteLineAsync("done");
        var (exit, stdout, stderr) = await HelperProcess.CompleteAsync(holder);
        Assert.True(exit == 0, stderr);
        Assert.Contains($"data/held/0.bin {Convert.ToHexString(SHA256.HashData(TestContent.ForFile(1000)))}", stdout);
        Assert.Contains($"data/held/1.bin {Convert.ToHexString(SHA256.HashData(TestContent.ForFile(1001)))}", stdout);
    }

    [Fact]
    public async Task Eviction_goes_by_last_opening_and_never_removes_a_write_not_yet_uploaded()
    {
        await Sandbox.UploadManyAsync(Enumerable.Range(0, 20).Select(i => ($"lru/{i}.bin", TestContent.ForFile(i))));
        Sandbox.WriteReadOnlySas(); // reads work; the write's upload fails with 403 and stays pending
        var options = Sandbox.CreateOptions();
        options.MaxCacheSize = 300_000; // the instance option, for mappings without the key
        var client = new AzFuseClient(options);

        Assert.Throws<AzFuseTransferException>(() => client.WriteAllBytes("data/lru/written.bin", TestContent.For(99, 60_000)));
        client.ReadAllBytes("data/lru/0.bin");
        client.ReadAllBytes("data/lru/1.bin");
        for (var i = 2; i < 20; i++)
        {
            client.ReadAllBytes("data/lru/0.bin"); // kept recent
            client.ReadAllBytes($"data/lru/{i}.bin");
        }

        Assert.True(client.GetCacheStats().Evictions > 0);
        Assert.True(File.Exists(Sandbox.CachePathOf("lru/0.bin")), "the most recently opened file was evicted");
        Assert.False(File.Exists(Sandbox.CachePathOf("lru/1.bin")), "the least recently opened file stayed");
        Assert.Equal(TestContent.For(99, 60_000), File.ReadAllBytes(Sandbox.CachePathOf("lru/written.bin")));

        Assert.Throws<IOException>(() => client.Delete("data/lru/written.bin")); // still pending
    }

    [Fact]
    public async Task When_nothing_can_be_evicted_the_fill_still_proceeds_and_a_warning_says_so()
    {
        Sandbox.SetCachePolicy(maxCacheSize: "60KB");
        await Sandbox.UploadManyAsync(Enumerable.Range(0, 3).Select(i => ($"tight/{i}.bin", TestContent.ForFile(i))));
        using var logs = new CapturingLoggerFactory();
        var client = Sandbox.CreateClient(logs);

        // Both held open: neither may go, so the third file takes the folder over its limit.
        using var first = client.Open("data/tight/0.bin", FileMode.Open);
        using var second = client.Open("data/tight/1.bin", FileMode.Open);
        Assert.Equal(TestContent.ForFile(2), client.ReadAllBytes("data/tight/2.bin"));

        Assert.True(File.Exists(Sandbox.CachePathOf("tight/0.bin")) && File.Exists(Sandbox.CachePathOf("tight/1.bin")));
        Assert.Contains(logs.Lines, l => l.Contains("over its max_cache_size of 60000", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_eviction_pass_counts_the_fills_another_process_has_in_flight()
    {
        Sandbox.SetCachePolicy(maxCacheSize: "100KB");
        await Sandbox.UploadAsync("a.bin", TestContent.For(1, 30_000));
        await Sandbox.UploadAsync("b.bin", TestContent.For(2, 30_000));
        var client = Sandbox.CreateClient();
        client.ReadAllBytes("data/a.bin");

        // Another process reserved 60,000 bytes and is downloading them: its partial file has its
        // full length already, and the ledger counts it.
        await using (var partial = File.Create(Path.Combine(Sandbox.CacheRoot, ".other.bin.azfuse-partial")))
        {
            partial.SetLength(60_000);
        }

        var ledger = Path.Combine(Sandbox.CacheRoot, ".azfuse", ".cache-size");
        File.WriteAllText(ledger, "90000");

        Assert.Equal(TestContent.For(2, 30_000), client.ReadAllBytes("data/b.bin"));

        Assert.False(File.Exists(Sandbox.CachePathOf("a.bin")), "30,000 cached + 60,000 in flight + 30,000 incoming is over 100,000: a had to go");
        Assert.Equal("90000", File.ReadAllText(ledger)); // b and the fill in flight; a pass that forgot it would say 30000
    }

    [Fact]
    public async Task Two_processes_filling_and_evicting_one_small_cache_read_every_byte_right()
    {
        Sandbox.SetCachePolicy(maxCacheSize: "600KB");
        await Sandbox.UploadManyAsync(Enumerable.Range(0, 60).Select(i => ($"churn/{i}.bin", TestContent.ForFile(i))));

        var helpers = new[] { 1, 2 }
            .Select(seed => HelperProcess.Start(Sandbox.EnvironmentVariables, Sandbox.Root, "churn", "400", "data/churn", "60", seed.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
        var results = await Task.WhenAll(helpers.Select(h => HelperProcess.CompleteAsync(h, TimeSpan.FromMinutes(5))));

        long evictions = 0;
        foreach (var (exit, stdout, stderr) in results)
        {
            Assert.True(exit == 0, stderr);
            var parts = stdout.Trim().Split(' ');
            Assert.Equal("ok", parts[0]);
            evictions += long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.True(evictions > 0, "the cache never filled up: the test checked nothing");
        Assert.True(Sandbox.CreateClient().GetCacheStats().Bytes <= 600_000);
    }
}
