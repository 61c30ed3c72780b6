using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Safety;

/// <summary>No upload without a successful, complete write: the safe forms, Commit and Discard, RequireCommit, and failed writes.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WriteSafetyTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    private const string Good = """{"version":3,"items":[{"id":1,"name":"first"},{"id":2,"name":"second"},{"id":3,"name":"third"}],"note":"a valid document of some two hundred bytes, written before the failing one","done":true}""";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_exception_in_the_middle_of_a_synchronous_JSON_write_leaves_the_old_blob_and_no_pending_record(bool inScope)
    {
        var client = await ClientWithGoodBlobAsync();

        var scope = inScope ? client.AsyncUpload() : null;
        var ex = Assert.Throws<InvalidOperationException>(() => client.Write("data/doc.json", s => JsonSerializer.Serialize(s, Items(failAt: 4_000))));
        scope?.Dispose();

        Assert.Equal("item 4000 failed", ex.Message);
        await AssertGoodBlobAndNothingPendingAsync(client);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_exception_in_the_middle_of_an_async_JSON_write_leaves_the_old_blob_and_no_pending_record(bool inScope)
    {
        var client = await ClientWithGoodBlobAsync();

        var scope = inScope ? client.AsyncUpload() : null;
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            client.WriteAsync("data/doc.json", (s, ct) => JsonSerializer.SerializeAsync(s, ItemsAsync(failAt: 4_000), cancellationToken: ct)));
        if (scope is not null)
        {
            await scope.DisposeAsync();
        }

        Assert.Equal("item 4000 failed", ex.Message);
        await AssertGoodBlobAndNothingPendingAsync(client);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_exception_in_an_await_using_block_under_RequireCommit_leaves_the_old_blob_and_no_pending_record(bool inScope)
    {
        var client = await ClientWithGoodBlobAsync();

        var scope = inScope ? client.AsyncUpload() : null;
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var stream = await client.OpenWriteAsync("data/doc.json", options: new OpenOptions { RequireCommit = true });
            await JsonSerializer.SerializeAsync(stream, ItemsAsync(failAt: 4_000));
            await stream.CommitAsync();
        });
        if (scope is not null)
        {
            await scope.DisposeAsync();
        }

        await AssertGoodBlobAndNothingPendingAsync(client);
    }

    [Fact]
    public async Task The_client_default_RequireCommit_makes_a_plain_Open_discard_without_Commit_and_upload_with_it()
    {
        await Sandbox.UploadAsync("doc.json", Good);
        var options = Sandbox.CreateOptions();
        options.RequireCommit = true;
        var client = new AzFuseClient(options);

        Assert.Throws<InvalidOperationException>(new Action(() =>
        {
            using var stream = client.Open("data/doc.json", FileMode.Create);
            stream.Write("partial"u8);
            throw new InvalidOperationException("the caller's code failed");
        }));
        Assert.Equal(Good, await Sandbox.DownloadTextAsync("doc.json"));

        using (var stream = (AzFuseWriteStream)client.Open("data/doc.json", FileMode.Create))
        {
            stream.Write("complete"u8);
            stream.Commit();
        }

        Assert.Equal("complete", await Sandbox.DownloadTextAsync("doc.json"));
    }

    [Fact]
    public async Task Discard_uploads_nothing_keeps_the_cached_copy_and_sends_no_request()
    {
        var client = await ClientWithGoodBlobAsync();
        var before = (await Server.RequestsToAsync(Sandbox.ContainerName)).Count;

        using (var stream = client.OpenWrite("data/doc.json"))
        {
            stream.Write("not wanted after all"u8);
            stream.Discard();
            stream.Discard(); // twice is fine
            Assert.Throws<InvalidOperationException>(stream.Commit);
        }

        Assert.Empty((await Server.RequestsToAsync(Sandbox.ContainerName)).Skip(before));
        await AssertGoodBlobAndNothingPendingAsync(client);
    }

    [Fact]
    public async Task A_stream_whose_write_failed_for_a_full_disk_is_not_uploaded_by_a_Dispose_after_space_was_freed()
    {
        await Sandbox.UploadAsync("big.bin", new string('g', 40_000));
        var client = Sandbox.CreateClient();
        Assert.Equal(40_000, client.ReadAllBytes("data/big.bin").Length);
        using var disk = TinyDisk.Mount(Sandbox.CacheRoot, "4m", keep: Sandbox.CachePathOf("big.bin"));
        var filler = Path.Combine(Sandbox.CacheRoot, "filler");

        IOException? failure = null;
        using (var stream = client.Open("data/big.bin", FileMode.Create))
        {
            try
            {
                stream.Write(new byte[16 << 20]);
            }
            catch (IOException ex)
            {
                failure = ex;
            }

            File.Delete(filler); // space is freed before Dispose
        }

        Assert.NotNull(failure);
        Assert.Contains(Sandbox.CacheRoot, failure.Message, StringComparison.Ordinal);
        Assert.Contains("full", failure.Message, StringComparison.Ordinal);
        Assert.Equal(40_000, (await Sandbox.DownloadAsync("big.bin"))!.Length);
        Assert.Equal(40_000, client.ReadAllBytes("data/big.bin").Length);
        Assert.Equal(0, client.ResumePendingUploads());
        Assert.DoesNotContain(StandingFiles.Without(Directory.EnumerateFiles(Path.Combine(Sandbox.CacheRoot, ".azfuse", "writing"), "*", SearchOption.AllDirectories)), f => !f.EndsWith(".lock", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Commit_after_a_failed_write_throws_and_uploads_nothing()
    {
        var client = await ClientWithGoodBlobAsync();
        using var disk = TinyDisk.Mount(Sandbox.CacheRoot, "4m", keep: Sandbox.CachePathOf("doc.json"));
        var stream = client.OpenWrite("data/doc.json");
        Assert.ThrowsAny<IOException>(() => stream.Write(new byte[8 << 20]));
        File.Delete(Path.Combine(Sandbox.CacheRoot, "filler"));

        var ex = Assert.Throws<IOException>(stream.Commit);

        Assert.Contains("discarded", ex.Message, StringComparison.Ordinal);
        await AssertGoodBlobAndNothingPendingAsync(client);
    }

    [Fact]
    public async Task A_StreamWriter_that_owns_the_stream_in_Write_still_commits_when_the_delegate_returns()
    {
        var client = Sandbox.CreateClient();

        client.Write("data/writer.txt", s =>
        {
            using var writer = new StreamWriter(s);
            writer.Write("through a StreamWriter");
        });

        Assert.Equal("through a StreamWriter", await Sandbox.DownloadTextAsync("writer.txt"));
    }

    [Fact]
    public void With_AzFuse_off_a_failed_write_leaves_the_local_file_as_it_was()
    {
        using var temp = new TempFolder();
        var file = temp.Write("local.json", Good);
        var client = new AzFuseClient(new AzFuseOptions { Enabled = false });

        Assert.Throws<InvalidOperationException>(() => client.Write(file, s => JsonSerializer.Serialize(s, Items(failAt: 4_000))));
        using (var stream = client.OpenWrite(file))
        {
            stream.Write("discarded"u8);
            stream.Discard();
        }

        using (var stream = client.Open(file, FileMode.Append))
        {
            stream.Write("appended, then discarded"u8);
            ((AzFuseWriteStream)stream).Discard();
        }

        Assert.Equal(Good, File.ReadAllText(file));
        Assert.Equal([Path.GetFileName(file)], Directory.EnumerateFileSystemEntries(temp.Path).Select(Path.GetFileName));
        client.WriteAllText(file, "replaced");
        Assert.Equal("replaced", File.ReadAllText(file));
    }

    [Fact]
    public void With_AzFuse_off_a_write_through_a_file_link_replaces_its_target_and_keeps_the_link()
    {
        using var temp = new TempFolder();
        var target = temp.Write("real.txt", "old");
        var link = Path.Combine(temp.Path, "link.txt");
        File.CreateSymbolicLink(link, target);
        var client = new AzFuseClient(new AzFuseOptions { Enabled = false });

        client.WriteAllText(link, "new");

        Assert.Equal("new", File.ReadAllText(target));
        Assert.Equal(target, new FileInfo(link).LinkTarget);
    }

    private async Task<AzFuseClient> ClientWithGoodBlobAsync()
    {
        await Sandbox.UploadAsync("doc.json", Good);
        var client = Sandbox.CreateClient();
        Assert.Equal(Good, client.ReadAllText("data/doc.json")); // cached
        return client;
    }

    private async Task AssertGoodBlobAndNothingPendingAsync(AzFuseClient client, bool expectCachedCopy = true)
    {
        Assert.Equal(Encoding.UTF8.GetBytes(Good), await Sandbox.DownloadAsync("doc.json"));
        if (expectCachedCopy)
        {
            Assert.Equal(Good, File.ReadAllText(Sandbox.CachePathOf("doc.json")));
        }

        Assert.Equal(0, client.ResumePendingUploads());
        var pending = Path.Combine(Sandbox.CacheRoot, ".azfuse", "pending");
        Assert.All(Directory.Exists(pending) ? Directory.EnumerateFiles(pending, "*.journal") : [], j => Assert.Equal(0, new FileInfo(j).Length));
        Assert.Equal(Good, client.ReadAllText("data/doc.json"));
    }

    private static IEnumerable<object> Items(int failAt)
    {
        for (var i = 0; ; i++)
        {
            if (i == failAt)
            {
                throw new InvalidOperationException($"item {i} failed");
            }

            yield return new { id = i, name = $"item number {i}", payload = new string('x', 60) };
        }
    }

    private static async IAsyncEnumerable<object> ItemsAsync(int failAt, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var item in Items(failAt))
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }
    }
}
