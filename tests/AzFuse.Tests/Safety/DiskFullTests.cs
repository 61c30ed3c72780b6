using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Safety;

/// <summary>A full disk during a download is an IOException that says so: not a broken transfer, not retried, nothing partial left.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class DiskFullTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    [Theory]
    [InlineData(AzFuseTransferEngine.Auto, 0)]
    [InlineData(AzFuseTransferEngine.AzCopy, 1)]
    public async Task A_full_disk_during_an_Open_is_an_IOException_naming_the_cache_folder_downloaded_once_and_leaves_nothing(AzFuseTransferEngine engine, int azCopyRuns)
    {
        Sandbox.Engine = engine;
        await Sandbox.UploadAsync("big.bin", TestContent.For(7, 1_000_000));
        var logs = new CapturingLoggerFactory();
        var client = Sandbox.CreateClient(logs);
        using var disk = TinyDisk.Mount(Sandbox.CacheRoot, "4m");

        var ex = await Assert.ThrowsAnyAsync<IOException>(async () => await client.OpenAsync("data/big.bin", FileMode.Open));

        Assert.IsNotAssignableFrom<AzFuseException>(ex);
        Assert.Contains(Sandbox.CacheRoot, ex.Message, StringComparison.Ordinal);
        Assert.Contains("full", ex.Message, StringComparison.Ordinal);
        Assert.Contains("bytes", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Lines, l => l.Contains("[13]", StringComparison.Ordinal)); // never retried
        Assert.Equal(azCopyRuns, AzCopy.Invocations.Count);
        var gets = (await Server.RequestsToAsync(Sandbox.ContainerName)).Count(r => r.StartsWith("GET", StringComparison.Ordinal) && r.Contains("big.bin", StringComparison.Ordinal));
        Assert.True(gets <= 1, $"{gets} downloads of the blob"); // (an aborted GET may reach Azurite's log late)
        Assert.Equal(["filler"], StandingFiles.Without(Directory.EnumerateFiles(Sandbox.CacheRoot, "*", SearchOption.AllDirectories)).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_full_disk_during_a_Prepare_stops_the_batch_with_an_IOException_and_leaves_nothing_partial()
    {
        await Sandbox.UploadManyAsync(Enumerable.Range(0, 30).Select(i => ($"many/{i}.bin", TestContent.For(i, 100_000))));
        var client = Sandbox.CreateClient();
        using var disk = TinyDisk.Mount(Sandbox.CacheRoot, "4m", headroom: 450_000);

        var ex = await Assert.ThrowsAnyAsync<IOException>(() => client.PrepareAsync(Enumerable.Range(0, 30).Select(i => $"data/many/{i}.bin")));

        Assert.IsNotAssignableFrom<AzFuseException>(ex);
        Assert.Contains("full", ex.Message, StringComparison.Ordinal);
        var gets = (await Server.RequestsToAsync(Sandbox.ContainerName)).Count(r => r.StartsWith("GET", StringComparison.Ordinal));
        Assert.True(gets < 30, $"{gets} downloads started after the disk was full");
        Assert.Empty(StandingFiles.Without(Directory.EnumerateFiles(Path.Combine(Sandbox.CacheRoot, ".azfuse"), "*", SearchOption.AllDirectories)));
        foreach (var file in Directory.EnumerateFiles(Sandbox.CacheRoot, "*.bin", SearchOption.AllDirectories))
        {
            var i = int.Parse(Path.GetFileNameWithoutExtension(file), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(TestContent.For(i, 100_000), File.ReadAllBytes(file)); // what was cached is whole
        }
    }
}
