using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

/// <summary>No closed write is lost: not when the service goes away mid-scope, not when the writing process is killed.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class UploadRecoveryTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    [Fact]
    public async Task Service_stopped_mid_scope_fails_the_scope_naming_the_files_and_resume_uploads_them_all_after_restart()
    {
        var options = Sandbox.CreateOptions();
        options.TransferAttempts = 2;
        options.RetryDelay = TimeSpan.FromMilliseconds(100);
        options.TransferStallTimeout = TimeSpan.FromSeconds(3);
        var client = new AzFuseClient(options);
        var expected = Enumerable.Range(0, 40).ToDictionary(i => $"outage/{i}.bin", i => Content(i, 1000 + (i * 37)));

        AzFuseTransferException failure;
        try
        {
            var scope = client.AsyncUpload();
            foreach (var (relative, content) in expected.Take(10))
            {
                client.WriteAllBytes("data/" + relative, content);
            }

            await Server.StopAsync();
            foreach (var (relative, content) in expected.Skip(10))
            {
                client.WriteAllBytes("data/" + relative, content);
            }

            failure = Assert.Throws<AzFuseTransferException>(scope.Dispose);
        }
        finally
        {
            if (!Server.IsRunning)
            {
                await Server.RestartAsync();
            }
        }

        // Every file written while the service was down is named, with the cause.
        var failed = failure.Failures.Select(f => f.Path).ToHashSet();
        Assert.Superset(expected.Keys.Skip(10).Select(k => "data/" + k).ToHashSet(), failed);
        Assert.All(failure.Failures, f => Assert.Contains("127.0.0.1", f.Exception.Message, StringComparison.Ordinal));

        var resumed = client.ResumePendingUploads();

        Assert.Equal(failed.Count, resumed);
        foreach (var (relative, content) in expected)
        {
            Assert.Equal(content, await Sandbox.DownloadAsync(relative));
        }

        Assert.Equal(0, client.ResumePendingUploads());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Process_killed_with_uploads_queued_loses_nothing_a_new_process_resumes_them(bool shmAsTmp)
    {
        var shm = Path.Combine(Sandbox.Root, "shm");
        Directory.CreateDirectory(shm);
        await KillWriterWithUploadsQueuedAsync(25, "data/killed", shmAsTmp ? shm : null);

        Assert.Null(await Sandbox.DownloadAsync("killed/0.txt"));

        var options = Sandbox.CreateOptions();
        options.SharedMemoryFolder = shm;
        var resumed = new AzFuseClient(options).ResumePendingUploads();

        Assert.Equal(25, resumed);
        for (var i = 0; i < 25; i++)
        {
            Assert.Equal($"content {i}", await Sandbox.DownloadTextAsync($"killed/{i}.txt"));
        }

        Assert.Empty(Directory.EnumerateFiles(shm, "*.txt", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Library_start_up_resumes_uploads_a_killed_process_left_pending_without_being_asked()
    {
        await KillWriterWithUploadsQueuedAsync(5, "data/startup");

        // Any first use starts the engine, which finds the abandoned journal and resumes it in the background.
        var client = Sandbox.CreateClient();
        client.ClearCache("data/unrelated.txt");

        // The five are uploaded side by side (over HTTP, 16 at a time) and may land in any order:
        // wait for all of them, not for the last one listed.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (!await AllUploadedAsync())
        {
            await Task.Delay(50, timeout.Token);
        }

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal($"content {i}", await Sandbox.DownloadTextAsync($"startup/{i}.txt"));
        }

        async Task<bool> AllUploadedAsync()
        {
            for (var i = 0; i < 5; i++)
            {
                if (await Sandbox.DownloadTextAsync($"startup/{i}.txt") is null)
                {
                    return false;
                }
            }

            return true;
        }
    }

    [Fact]
    public async Task ResumePendingUploads_after_the_start_up_resume_finished_reports_what_it_uploaded_once()
    {
        await KillWriterWithUploadsQueuedAsync(5, "data/counted");
        var client = Sandbox.CreateClient();
        client.ClearCache("data/unrelated.txt"); // starts the engine and its background resume

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (!await AllUploadedAsync())
        {
            await Task.Delay(50, timeout.Token);
        }

        // Everything is uploaded already; the call still says what was resumed, and only the first call does.
        Assert.Equal(5, client.ResumePendingUploads());
        Assert.Equal(0, client.ResumePendingUploads());

        async Task<bool> AllUploadedAsync()
        {
            for (var i = 0; i < 5; i++)
            {
                if (await Sandbox.DownloadTextAsync($"counted/{i}.txt") is null)
                {
                    return false;
                }
            }

            return true;
        }
    }

    [Fact]
    public async Task Newest_content_wins_when_a_resumed_record_is_older_than_a_new_write()
    {
        await KillWriterWithUploadsQueuedAsync(3, "data/race");

        // The new client's start-up resume adopts the old records in the background while this
        // write runs: the interleavings differ from run to run, and none may leave a waiter behind
        // (a bounded wait turns such a bug into a failure instead of a hung test run).
        var client = Sandbox.CreateClient();
        client.WriteAllText("data/race/1.txt", "newer");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await client.ResumePendingUploadsAsync(timeout.Token);

        Assert.Equal("content 0", await Sandbox.DownloadTextAsync("race/0.txt"));
        Assert.Equal("newer", await Sandbox.DownloadTextAsync("race/1.txt"));
        Assert.Equal("content 2", await Sandbox.DownloadTextAsync("race/2.txt"));
    }

    private static byte[] Content(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
