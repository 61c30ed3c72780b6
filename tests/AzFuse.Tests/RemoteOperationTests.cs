using System.Net;
using System.Text;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

/// <summary>Exists, GetLength, List, Delete and GetUrl against Azurite, through the library's REST client.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class RemoteOperationTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    private static readonly HttpClient s_http = new();

    [Fact]
    public async Task Exists_is_true_for_blobs_folders_and_cached_files_and_false_for_missing_ones()
    {
        await Sandbox.UploadAsync("folder/inner/a.txt", "a");
        var client = Sandbox.CreateClient();
        Directory.CreateDirectory(Sandbox.CacheRoot);
        File.WriteAllText(Sandbox.CachePathOf("only-cached.txt"), "local");

        Assert.True(client.Exists("data/folder/inner/a.txt"));
        Assert.True(await client.ExistsAsync("data/folder"));
        Assert.True(client.Exists("data/folder/inner"));
        Assert.True(client.Exists("data/only-cached.txt"));
        Assert.False(client.Exists("data/missing.txt"));
        Assert.False(await client.ExistsAsync("data/fold"));
        Assert.False(File.Exists(Sandbox.CachePathOf("folder/inner/a.txt")), "Exists must not download");
        Assert.Empty(AzCopy.Invocations);
    }

    [Fact]
    public async Task GetLength_reads_the_remote_size_without_downloading_and_the_cached_size_when_cached()
    {
        await Sandbox.UploadAsync("sized.bin", new byte[12345]);
        var client = Sandbox.CreateClient();

        Assert.Equal(12345, client.GetLength("data/sized.bin"));
        Assert.False(File.Exists(Sandbox.CachePathOf("sized.bin")));

        client.WriteAllText("data/sized.bin", "now 9 by");
        Assert.Equal(8, await client.GetLengthAsync("data/sized.bin"));
        Assert.Throws<FileNotFoundException>(() => client.GetLength("data/none.bin"));
    }

    [Fact]
    public async Task List_returns_logical_paths_that_open_directly_one_level_or_recursively()
    {
        await Sandbox.UploadManyAsync([("set/a.txt", "a"u8.ToArray()), ("set/b.txt", "b"u8.ToArray()), ("set/sub/c.txt", "c"u8.ToArray()), ("setx/no.txt", "x"u8.ToArray())]);
        var client = Sandbox.CreateClient();

        Assert.Equal(["data/set/a.txt", "data/set/b.txt"], client.List("data/set"));
        Assert.Equal(["data/set/a.txt", "data/set/b.txt", "data/set/sub/c.txt"], client.List("data/set/", recursive: true));
        var listedAsync = new List<string>();
        await foreach (var path in client.ListAsync("data/set", recursive: true))
        {
            listedAsync.Add(path);
        }

        Assert.Equal(client.List("data/set", recursive: true), listedAsync);
        Assert.Empty(client.List("data/nothing-here"));

        // What List returns, Prepare and Open take as it is.
        var all = client.List("data/set", recursive: true).ToList();
        client.Prepare(all);
        Assert.Equal("c", client.ReadAllText(all[2]));
    }

    [Fact]
    public async Task List_includes_files_written_in_a_scope_that_are_not_uploaded_yet()
    {
        await Sandbox.UploadAsync("mixed/remote.txt", "r");
        var (options, release) = HoldAzCopy();
        var client = new AzFuseClient(options);

        using (client.AsyncUpload())
        {
            client.WriteAllText("data/mixed/written.txt", "w");
            Assert.Equal(["data/mixed/remote.txt", "data/mixed/written.txt"], client.List("data/mixed"));
            Assert.True(client.Exists("data/mixed/written.txt"));
            File.WriteAllText(release, "go");
        }

        Assert.Equal(["data/mixed/remote.txt", "data/mixed/written.txt"], client.List("data/mixed"));
    }

    [Fact]
    public async Task List_of_more_than_5000_blobs_follows_continuation_markers_to_the_end()
    {
        const int Count = 5_123;
        await Sandbox.UploadManyAsync(Enumerable.Range(0, Count).Select(i => ($"big/{i:D5}.txt", Array.Empty<byte>())));

        var listed = Sandbox.CreateClient().List("data/big").ToList();

        Assert.Equal(Count, listed.Count);
        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"data/big/{i:D5}.txt"), listed);
    }

    [Fact]
    public async Task Delete_removes_the_blob_and_the_cached_copy_and_ignores_a_missing_file()
    {
        await Sandbox.UploadAsync("doomed.txt", "bye");
        var client = Sandbox.CreateClient();
        Assert.Equal("bye", client.ReadAllText("data/doomed.txt"));

        client.Delete("data/doomed.txt");

        Assert.Null(await Sandbox.DownloadAsync("doomed.txt"));
        Assert.False(File.Exists(Sandbox.CachePathOf("doomed.txt")));
        Assert.False(client.Exists("data/doomed.txt"));
        await client.DeleteAsync("data/doomed.txt");
    }

    [Fact]
    public async Task Delete_of_a_file_with_a_write_not_uploaded_yet_is_refused()
    {
        var (options, release) = HoldAzCopy();
        var client = new AzFuseClient(options);

        using (client.AsyncUpload())
        {
            client.WriteAllText("data/queued.txt", "q");
            var ex = Assert.Throws<IOException>(() => client.Delete("data/queued.txt"));
            Assert.Contains("data/queued.txt", ex.Message);
            File.WriteAllText(release, "go");
        }

        Assert.Equal("q", await Sandbox.DownloadTextAsync("queued.txt"));
    }

    [Fact]
    public async Task GetUrl_gives_a_read_only_link_that_expires_after_30_days_by_default()
    {
        await Sandbox.UploadAsync("shared.txt", "for sharing");
        var client = Sandbox.CreateClient();

        var url = client.GetUrl("data/shared.txt");

        Assert.Equal("for sharing", await s_http.GetStringAsync(url));
        using var put = new HttpRequestMessage(HttpMethod.Put, url) { Content = new StringContent("overwritten") };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        using var denied = await s_http.SendAsync(put);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);

        var expiry = DateTimeOffset.Parse(Uri.UnescapeDataString(url.Query.Split('&').Single(p => p.StartsWith("se=", StringComparison.Ordinal))[3..]), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiry, DateTimeOffset.UtcNow.AddDays(30).AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30).AddMinutes(5));
        var shortUrl = await client.GetUrlAsync("data/shared.txt", TimeSpan.FromHours(1));
        Assert.Equal("for sharing", await s_http.GetStringAsync(shortUrl));
    }

    [Fact]
    public async Task GetUrl_refuses_missing_blobs_unmapped_paths_and_a_sas_that_grants_more_than_reading()
    {
        var client = Sandbox.CreateClient();
        Assert.Throws<FileNotFoundException>(() => client.GetUrl("data/none.txt"));
        Assert.Throws<ArgumentException>(() => client.GetUrl("elsewhere/x.txt"));

        using var sasSandbox = await AzFuseSandbox.CreateAsync(Server, SandboxCredential.SasToken);
        await sasSandbox.UploadAsync("x.txt", "x");
        var ex = Assert.Throws<AzFuseException>(() => sasSandbox.CreateClient().GetUrl("data/x.txt"));
        Assert.Contains("account_key", ex.Message);
        Assert.DoesNotContain("sig=", ex.Message);
    }

    [Fact]
    public async Task Expired_sas_gives_a_403_that_says_what_to_check_for_every_operation()
    {
        await Sandbox.UploadAsync("a.txt", "a");
        Sandbox.WriteExpiredSas();
        var client = Sandbox.CreateClient();

        foreach (var call in new Action[] { () => client.Exists("data/a.txt"), () => client.GetLength("data/a.txt"), () => client.List("data").ToList(), () => client.Delete("data/a.txt") })
        {
            var ex = Assert.Throws<AzFuseException>(call);
            Assert.Contains("403", ex.Message);
            Assert.Contains("expired", ex.Message);
            Assert.DoesNotContain("sig=", ex.Message);
        }

        Assert.Equal("a", await Sandbox.DownloadTextAsync("a.txt"));
    }

    [Fact]
    public void A_missing_container_is_named_with_the_file_to_fix_for_reads_writes_and_listings()
    {
        File.WriteAllText(Path.Combine(Sandbox.AccountFolder, "azurite.yaml"),
            $"account_name: devstoreaccount1\naccount_key: {AzuriteServer.AccountKey}\ncontainer_name: nosuchcontainer\nendpoint: {Server.Endpoint}\n");
        var client = Sandbox.CreateClient();

        foreach (var call in new Action[] { () => client.Open("data/a.txt", FileMode.Open), () => client.WriteAllText("data/b.txt", "b"), () => client.List("data").ToList(), () => client.Exists("data/a.txt") })
        {
            var ex = Assert.ThrowsAny<AzFuseException>(call);
            Assert.Contains("'nosuchcontainer' does not exist", ex.Message + ex.InnerException?.Message);
            Assert.Contains("azurite.yaml", ex.Message + ex.InnerException?.Message);
        }
    }

    [Fact]
    public async Task A_request_to_a_stopped_service_is_retried_and_succeeds_once_it_is_back()
    {
        await Sandbox.UploadAsync("retry.txt", "back");
        var logs = new CapturingLoggerFactory();
        var options = Sandbox.CreateOptions();

        // Retries for as long as the default budget (60 s), not for the 10-odd seconds that 8 attempts
        // 300 ms apart and doubling make: Azurite's restart alone took 4.5-7.5 s here under load.
        options.TransferAttempts = 30;
        options.RetryDelay = TimeSpan.FromMilliseconds(300);
        var client = new AzFuseClient(options, logs);

        await Server.StopAsync();
        var exists = client.ExistsAsync("data/retry.txt");
        await Task.Delay(500);
        await Server.RestartAsync();

        Assert.True(await exists);
        Assert.Contains(logs.Lines, l => l.Contains("[13]", StringComparison.Ordinal) && l.Contains("Cannot reach", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_request_to_a_dead_service_fails_after_the_configured_attempts_naming_the_endpoint()
    {
        File.WriteAllText(Path.Combine(Sandbox.AccountFolder, "azurite.yaml"),
            $"account_name: devstoreaccount1\naccount_key: {AzuriteServer.AccountKey}\ncontainer_name: nothing\nendpoint: http://127.0.0.1:9/devstoreaccount1\n");
        var logs = new CapturingLoggerFactory();
        var options = Sandbox.CreateOptions();
        options.TransferAttempts = 3;
        options.RetryDelay = TimeSpan.FromMilliseconds(10);

        var ex = Assert.Throws<AzFuseException>(() => new AzFuseClient(options, logs).Exists("data/x.txt"));

        Assert.Contains("127.0.0.1:9", ex.Message);
        Assert.Equal(2, logs.Lines.Count(l => l.Contains("[13]", StringComparison.Ordinal)));
    }

    [Fact]
    public void Remote_operations_act_on_local_files_when_disabled()
    {
        var folder = Path.Combine(Sandbox.Root, "plain");
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        File.WriteAllText(Path.Combine(folder, "a.txt"), "abc");
        File.WriteAllText(Path.Combine(folder, "sub", "b.txt"), "b");
        var client = new AzFuseClient(new AzFuseOptions());

        Assert.True(client.Exists(Path.Combine(folder, "a.txt")));
        Assert.Equal(3, client.GetLength(Path.Combine(folder, "a.txt")));
        Assert.Equal([Path.Combine(folder, "a.txt")], client.List(folder));
        Assert.Equal(2, client.List(folder, recursive: true).Count());
        client.Delete(Path.Combine(folder, "a.txt"));
        Assert.False(File.Exists(Path.Combine(folder, "a.txt")));
        Assert.Throws<ArgumentException>(() => client.GetUrl(Path.Combine(folder, "sub", "b.txt")));
        Assert.Equal(Encoding.UTF8.GetBytes("b"), File.ReadAllBytes(Path.Combine(folder, "sub", "b.txt")));
    }
}
