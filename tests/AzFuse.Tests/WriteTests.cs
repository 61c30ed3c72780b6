using System.Security.Cryptography;
using System.Text;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

/// <summary>Synchronous writes: every closed stream is uploaded before its Dispose returns, with File's mode semantics.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WriteTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    [Fact]
    public async Task A_writing_folder_deleted_from_under_a_live_process_is_made_again_for_its_next_writes()
    {
        var client = Sandbox.CreateClient();
        client.WriteAllText("data/out/first.txt", "first");
        Directory.Delete(Path.Combine(Sandbox.CacheRoot, ".azfuse", "writing"), recursive: true); // as by hand, with the spares in it

        client.WriteAllText("data/out/second.txt", "second");
        using (client.AsyncUpload())
        {
            client.WriteAllText("data/out/third.txt", "third");
        }

        Assert.Equal("second", await Sandbox.DownloadTextAsync("out/second.txt"));
        Assert.Equal("third", await Sandbox.DownloadTextAsync("out/third.txt"));
        Assert.Equal("third", client.ReadAllText("data/out/third.txt"));
    }

    [Theory]
    [InlineData(AzFuseTransferEngine.Auto, "")]
    [InlineData(AzFuseTransferEngine.AzCopy, "PipeBlob")]
    public async Task Closed_write_is_in_the_blob_before_Dispose_returns_and_later_reads_hit_the_cache(AzFuseTransferEngine engine, string azCopyRuns)
    {
        Sandbox.Engine = engine;
        var logs = new CapturingLoggerFactory();
        var client = Sandbox.CreateClient(logs);
        var content = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);

        using (var stream = client.Open("data/out/model.bin", FileMode.Create))
        {
            stream.Write(content);
        }

        Assert.Equal(content, await Sandbox.DownloadAsync("out/model.bin"));
        AssertAzCopyRuns(azCopyRuns.Split(',', StringSplitOptions.RemoveEmptyEntries), logs);
        Assert.Equal(content, client.ReadAllBytes("data/out/model.bin"));
        AssertAzCopyRuns(azCopyRuns.Split(',', StringSplitOptions.RemoveEmptyEntries), logs);
    }

    [Fact]
    public async Task Async_write_round_trips_through_the_service()
    {
        var client = Sandbox.CreateClient();

        await client.WriteAllTextAsync("data/async.txt", "written asynchronously");
        client.ClearCache("data/async.txt");

        Assert.Equal("written asynchronously", await Sandbox.DownloadTextAsync("async.txt"));
        Assert.Equal("written asynchronously", await client.ReadAllTextAsync("data/async.txt"));
    }

    [Fact]
    public async Task WriteAllText_overwrites_an_existing_blob_and_its_stale_cache_copy()
    {
        await Sandbox.UploadAsync("over.txt", "old");
        var client = Sandbox.CreateClient();
        Assert.Equal("old", client.ReadAllText("data/over.txt"));

        client.WriteAllText("data/over.txt", "new");

        Assert.Equal("new", await Sandbox.DownloadTextAsync("over.txt"));
        Assert.Equal("new", client.ReadAllText("data/over.txt"));
    }

    [Fact]
    public async Task Empty_files_become_empty_blobs_alone_and_in_a_batch()
    {
        var client = Sandbox.CreateClient();

        client.WriteAllBytes("data/empty/alone", []);
        using (client.AsyncUpload())
        {
            for (var i = 0; i < 5; i++)
            {
                client.WriteAllBytes($"data/empty/{i}", []);
            }
        }

        Assert.Equal(Array.Empty<byte>(), await Sandbox.DownloadAsync("empty/alone"));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(Array.Empty<byte>(), await Sandbox.DownloadAsync($"empty/{i}"));
        }
    }

    [Fact]
    public async Task WriteAllText_writes_utf8_without_byte_order_mark_like_File()
    {
        var client = Sandbox.CreateClient();

        client.WriteAllText("data/text.txt", "héllo");

        Assert.Equal(Encoding.UTF8.GetBytes("héllo"), await Sandbox.DownloadAsync("text.txt"));
    }

    [Fact]
    public async Task Append_to_a_blob_that_is_not_cached_starts_from_the_blob()
    {
        await Sandbox.UploadAsync("log.txt", "line 1\n");
        var client = Sandbox.CreateClient();

        using (var writer = new StreamWriter(client.Open("data/log.txt", FileMode.Append)))
        {
            writer.Write("line 2\n");
        }

        Assert.Equal("line 1\nline 2\n", await Sandbox.DownloadTextAsync("log.txt"));
    }

    [Fact]
    public async Task OpenOrCreate_keeps_existing_content_and_creates_a_missing_file()
    {
        await Sandbox.UploadAsync("keep.txt", "abcdef");
        var client = Sandbox.CreateClient();

        using (var stream = client.Open("data/keep.txt", FileMode.OpenOrCreate))
        {
            stream.Write("XY"u8);
        }

        using (var stream = client.Open("data/fresh.txt", FileMode.OpenOrCreate))
        {
            stream.Write("new"u8);
        }

        Assert.Equal("XYcdef", await Sandbox.DownloadTextAsync("keep.txt"));
        Assert.Equal("new", await Sandbox.DownloadTextAsync("fresh.txt"));
    }

    [Fact]
    public async Task CreateNew_refuses_a_blob_that_exists_only_remotely()
    {
        await Sandbox.UploadAsync("exists.txt", "remote");
        var client = Sandbox.CreateClient();

        var ex = Assert.Throws<IOException>(() => client.Open("data/exists.txt", FileMode.CreateNew));

        Assert.Contains("data/exists.txt", ex.Message, StringComparison.Ordinal);
        Assert.Equal("remote", await Sandbox.DownloadTextAsync("exists.txt"));
    }

    [Fact]
    public void Truncate_of_a_file_that_exists_nowhere_throws_FileNotFoundException()
    {
        var client = Sandbox.CreateClient();

        var ex = Assert.Throws<FileNotFoundException>(() => client.Open("data/nothing.txt", FileMode.Truncate));

        Assert.Contains("data/nothing.txt", ex.Message, StringComparison.Ordinal);
        Assert.Empty(AzCopy.Invocations);
    }

    [Fact]
    public async Task A_reader_never_sees_a_write_before_it_is_closed()
    {
        await Sandbox.UploadAsync("busy.txt", "before");
        var client = Sandbox.CreateClient();
        Assert.Equal("before", client.ReadAllText("data/busy.txt"));

        using (var stream = client.Open("data/busy.txt", FileMode.Create))
        {
            stream.Write("half"u8);
            stream.Flush();
            Assert.Equal("before", client.ReadAllText("data/busy.txt"));
            Assert.Equal("before", File.ReadAllText(Sandbox.CachePathOf("busy.txt")));
        }

        Assert.Equal("half", client.ReadAllText("data/busy.txt"));
    }

    [Fact]
    public async Task Write_with_an_expired_sas_fails_at_once_naming_the_file_keeps_its_content_and_leaks_no_secret()
    {
        Sandbox.WriteExpiredSas();
        var logs = new CapturingLoggerFactory();
        var client = Sandbox.CreateClient(logs);

        var ex = Assert.Throws<AzFuseTransferException>(() => client.WriteAllText("data/denied.txt", "precious"));

        var failure = Assert.Single(ex.Failures);
        Assert.Equal("data/denied.txt", failure.Path);
        Assert.Contains("403", failure.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("expire", failure.Exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sig=", ex.Message + string.Join('\n', logs.Lines), StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Lines, l => l.Contains("[13]", StringComparison.Ordinal)); // never retried
        Assert.Empty(AzCopy.Invocations);
        Assert.Null(await Sandbox.DownloadAsync("denied.txt"));

        // The content is the only copy, so ClearCache keeps it for ResumePendingUploads.
        client.ClearCache("data/denied.txt");
        Assert.Equal("precious", File.ReadAllText(Sandbox.CachePathOf("denied.txt")));
    }

    [Fact]
    public async Task A_crashing_azcopy_is_retried_a_bounded_number_of_times_then_reported()
    {
        var options = Sandbox.CreateOptions();
        options.TransferEngine = AzFuseTransferEngine.AzCopy;
        options.AzCopyPath = AzFuse.Testing.FakeAzCopy.Create(Path.Combine(Sandbox.Root, "fake"), "cat > /dev/null; echo 'boom' >&2; exit 3");
        options.TransferAttempts = 3;
        options.RetryDelay = TimeSpan.FromMilliseconds(10);
        var logs = new CapturingLoggerFactory();
        var client = new AzFuseClient(options, logs);

        var ex = Assert.Throws<AzFuseTransferException>(() => client.WriteAllText("data/crash.txt", "x"));

        Assert.Contains("exit code 3", ex.Failures[0].Exception.Message, StringComparison.Ordinal);
        Assert.Equal(2, logs.Lines.Count(l => l.Contains("[13]", StringComparison.Ordinal)));
        Assert.Null(await Sandbox.DownloadAsync("crash.txt"));
    }
}
