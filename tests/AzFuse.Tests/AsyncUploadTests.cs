using System.Collections.Concurrent;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

/// <summary>AsyncUpload scopes: writes return at once, one background uploader batches them, the scope's end waits for all.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AsyncUploadTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    [Theory]
    [InlineData(AzFuseTransferEngine.AzCopy)]
    [InlineData(AzFuseTransferEngine.Auto)]
    public async Task Thousand_files_in_one_scope_are_all_uploaded_in_batches(AzFuseTransferEngine engine)
    {
        Sandbox.Engine = engine;
        var client = Sandbox.CreateClient();

        using (client.AsyncUpload())
        {
            for (var i = 0; i < 1000; i++)
            {
                client.WriteAllText($"data/many/{i}.txt", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        await AssertUploadedAsync(Enumerable.Range(0, 1000).Select(i => ($"many/{i}.txt", i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        if (engine == AzFuseTransferEngine.AzCopy)
        {
            // A handful of jobs, not a run per file.
            Assert.InRange(AzCopy.Invocations.Count, 1, 20);
            Assert.Contains("LocalBlob", AzCopy.Invocations);
        }
        else
        {
            // Below AzCopyMinBatchCount every batch goes over HTTP.
            Assert.Empty(AzCopy.Invocations);
        }
    }

    [Fact]
    public async Task Await_using_scope_waits_for_its_uploads()
    {
        var client = Sandbox.CreateClient();

        await using (client.AsyncUpload())
        {
            await client.WriteAllTextAsync("data/aw/1.txt", "one");
            await client.WriteAllTextAsync("data/aw/2.txt", "two");
        }

        await AssertUploadedAsync([("aw/1.txt", "one"), ("aw/2.txt", "two")]);
    }

    [Fact]
    public async Task Written_stream_dispose_inside_a_scope_returns_before_the_upload()
    {
        var client = Sandbox.CreateClient();
        var scope = client.AsyncUpload();

        client.WriteAllText("data/queued.txt", "queued");
        var uploadedBeforeScopeEnd = await Sandbox.DownloadTextAsync("queued.txt");
        scope.Dispose();

        // The write may already be up (the uploader is quick) but the scope's end guarantees it.
        Assert.True(uploadedBeforeScopeEnd is null or "queued");
        Assert.Equal("queued", await Sandbox.DownloadTextAsync("queued.txt"));
    }

    [Fact]
    public async Task A_file_still_open_for_writing_is_not_uploaded_while_the_others_are()
    {
        var client = Sandbox.CreateClient();
        var scope = client.AsyncUpload();
        var open = client.Open("data/open.bin", FileMode.Create);
        open.Write(new byte[1000]);

        client.WriteAllText("data/closed.txt", "closed");
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1)))
        {
            while (await Sandbox.DownloadTextAsync("closed.txt") is null)
            {
                await Task.Delay(20, timeout.Token);
            }
        }

        Assert.Null(await Sandbox.DownloadAsync("open.bin"));
        open.Write(new byte[24]);
        open.Dispose();
        scope.Dispose();

        Assert.Equal(new byte[1024], await Sandbox.DownloadAsync("open.bin"));
    }

    [Fact]
    public async Task Writing_one_path_many_times_in_a_scope_uploads_the_last_content()
    {
        var client = Sandbox.CreateClient();

        using (client.AsyncUpload())
        {
            for (var i = 0; i < 50; i++)
            {
                client.WriteAllText("data/latest.txt", $"version {i}");
            }
        }

        Assert.Equal("version 49", await Sandbox.DownloadTextAsync("latest.txt"));
        Assert.Equal("version 49", client.ReadAllText("data/latest.txt"));
    }

    [Fact]
    public async Task Concurrent_writers_from_many_threads_all_arrive()
    {
        var client = Sandbox.CreateClient();
        var expected = new ConcurrentBag<(string, string)>();

        using (client.AsyncUpload())
        {
            await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
            {
                for (var i = 0; i < 40; i++)
                {
                    var content = $"thread {t} file {i} " + new string('x', i * 100);
                    client.WriteAllText($"data/threads/{t}/{i}.txt", content);
                    expected.Add(($"threads/{t}/{i}.txt", content));
                }
            })));
        }

        Assert.Equal(320, expected.Count);
        await AssertUploadedAsync(expected);
    }

    [Fact]
    public async Task Synchronous_writes_on_other_threads_while_a_scope_is_busy_are_uploaded_before_they_return()
    {
        var client = Sandbox.CreateClient();
        using var scope = client.AsyncUpload();
        for (var i = 0; i < 30; i++)
        {
            client.WriteAllText($"data/bg/{i}.txt", "background");
        }

        // Threads that do not flow the scope's context (a fresh thread without it) write synchronously.
        var syncDone = new ConcurrentBag<string?>();
        var threads = Enumerable.Range(0, 4).Select(t =>
        {
            var thread = new Thread(() =>
            {
                client.WriteAllText($"data/fg/{t}.txt", $"sync {t}");
                syncDone.Add(Sandbox.DownloadTextAsync($"fg/{t}.txt").GetAwaiter().GetResult());
            });
            return thread;
        }).ToList();
        using (ExecutionContext.SuppressFlow())
        {
            threads.ForEach(t => t.Start());
        }

        threads.ForEach(t => t.Join());
        Assert.Equal(4, syncDone.Count(s => s is not null && s.StartsWith("sync ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Disabled_inner_scope_makes_writes_synchronous_again_and_the_outer_scope_resumes_after_it()
    {
        var client = Sandbox.CreateClient();
        using (var outer = client.AsyncUpload())
        {
            using (var inner = client.AsyncUpload(enabled: false))
            {
                Assert.False(inner.IsEnabled);
                client.WriteAllText("data/nested/sync.txt", "sync");
                Assert.Equal("sync", await Sandbox.DownloadTextAsync("nested/sync.txt"));
            }

            client.WriteAllText("data/nested/async.txt", "async");
        }

        Assert.Equal("async", await Sandbox.DownloadTextAsync("nested/async.txt"));
    }

    [Fact]
    public async Task Shm_staging_keeps_written_files_out_of_the_cache_serves_reads_until_uploaded_and_removes_them_after()
    {
        var shm = Path.Combine(Sandbox.Root, "shm");
        Directory.CreateDirectory(shm);
        // azcopy held back until the test has read inside the scope: otherwise a fast upload may
        // finish (and remove the staged copy) before the read.
        var (options, release) = HoldAzCopy();
        options.SharedMemoryFolder = shm;
        var client = new AzFuseClient(options);

        using (client.AsyncUpload(shmAsTmp: true))
        {
            for (var i = 0; i < 20; i++)
            {
                client.WriteAllText($"data/shm/{i}.txt", $"staged {i}");
            }

            // Read back inside the scope: the staged copy is the newest content.
            Assert.Equal("staged 7", client.ReadAllText("data/shm/7.txt"));
            Assert.False(File.Exists(Sandbox.CachePathOf("shm/7.txt")));
            File.WriteAllText(release, "go");
        }

        await AssertUploadedAsync(Enumerable.Range(0, 20).Select(i => ($"shm/{i}.txt", $"staged {i}")));
        Assert.Empty(Directory.EnumerateFiles(shm, "*.txt", SearchOption.AllDirectories));
        Assert.False(File.Exists(Sandbox.CachePathOf("shm/7.txt")));
        Assert.Equal("staged 7", client.ReadAllText("data/shm/7.txt"));
    }

    [Fact]
    public async Task Shm_staging_uses_the_real_dev_shm_by_default_and_cleans_up()
    {
        Assert.True(Directory.Exists("/dev/shm"), "this machine has /dev/shm");
        var client = Sandbox.CreateClient();
        var before = Directory.EnumerateFiles("/dev/shm", "*.bin", SearchOption.AllDirectories).Count();

        using (client.AsyncUpload(shmAsTmp: true))
        {
            client.WriteAllBytes("data/devshm/a.bin", [1, 2, 3]);
            Assert.Equal(before + 1, Directory.EnumerateFiles("/dev/shm", "*.bin", SearchOption.AllDirectories).Count());
        }

        Assert.Equal([1, 2, 3], await Sandbox.DownloadAsync("devshm/a.bin"));
        Assert.Equal(before, Directory.EnumerateFiles("/dev/shm", "*.bin", SearchOption.AllDirectories).Count());
    }

    [Fact]
    public async Task Shm_staging_without_the_folder_falls_back_to_the_cache_and_warns()
    {
        var options = Sandbox.CreateOptions();
        options.SharedMemoryFolder = Path.Combine(Sandbox.Root, "no-such-shm");
        var logs = new CapturingLoggerFactory();
        var client = new AzFuseClient(options, logs);

        using (client.AsyncUpload(shmAsTmp: true))
        {
            client.WriteAllText("data/fallback.txt", "in the cache");
        }

        Assert.Equal("in the cache", await Sandbox.DownloadTextAsync("fallback.txt"));
        Assert.Equal("in the cache", File.ReadAllText(Sandbox.CachePathOf("fallback.txt")));
        Assert.Single(logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("no-such-shm", StringComparison.Ordinal));
    }

    private async Task AssertUploadedAsync(IEnumerable<(string Relative, string Content)> files)
    {
        var results = new ConcurrentBag<(string Relative, string Expected, string? Actual)>();
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (f, _) =>
            results.Add((f.Relative, f.Content, await Sandbox.DownloadTextAsync(f.Relative))));
        var wrong = results.Where(r => r.Expected != r.Actual).Select(r => $"{r.Relative}: '{r.Actual}'").ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} file(s) not uploaded as written: {string.Join(", ", wrong.Take(5))}");
    }
}
