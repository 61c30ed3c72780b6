using AzFuse.Cache;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Safety;

/// <summary>
/// A synchronous write (no AsyncUpload scope) is made durable by its upload: sent before it is
/// renamed into the cache, with no journal line; it still goes after a pending upload of the same blob.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SyncWriteTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    [Fact]
    public async Task A_synchronous_write_is_uploaded_and_cached_when_Dispose_returns_and_writes_no_journal()
    {
        var client = Sandbox.CreateClient();

        using (var stream = client.Open("data/sync/a.txt", FileMode.Create))
        {
            stream.Write("written"u8);
        }

        Assert.Equal("written", await Sandbox.DownloadTextAsync("sync/a.txt"));
        Assert.Equal("written", await File.ReadAllTextAsync(Sandbox.CachePathOf("sync/a.txt")));
        var pending = CacheLayout.PendingFolder(Sandbox.CacheRoot);
        Assert.All(Directory.Exists(pending) ? Directory.EnumerateFiles(pending) : [], journal => Assert.Equal(0, new FileInfo(journal).Length)); // no line
        Assert.Equal(0, client.ResumePendingUploads());
    }

    [Fact]
    public async Task A_synchronous_write_after_a_queued_write_of_the_same_blob_is_uploaded_after_it_and_its_content_stands()
    {
        var (options, release) = HoldAzCopy();
        var client = new AzFuseClient(options);
        var scope = client.AsyncUpload();
        client.WriteAllText("data/order.txt", "older, queued");

        // Outside the scope (it flows with the execution context), while the queued upload is held back.
        Task newer;
        using (ExecutionContext.SuppressFlow())
        {
            newer = Task.Run(() => client.WriteAllText("data/order.txt", "newer, synchronous"));
        }

        await Task.Delay(200);
        await File.WriteAllTextAsync(release, "go");
        await newer.WaitAsync(TimeSpan.FromMinutes(2));
        scope.Dispose();

        Assert.Equal("newer, synchronous", await Sandbox.DownloadTextAsync("order.txt"));
        Assert.Equal("newer, synchronous", client.ReadAllText("data/order.txt"));
    }
}
