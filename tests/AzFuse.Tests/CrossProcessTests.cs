using System.Security.Cryptography;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

/// <summary>Several processes sharing one cache: one download, no partial file ever served, no lock outliving its holder.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CrossProcessTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    [Fact]
    public async Task Open_of_uncached_file_by_four_processes_at_once_downloads_it_once_and_all_read_the_same_bytes()
    {
        // azcopy, so that its runs can be counted across processes; the lock is the same for every engine.
        Sandbox.Engine = AzFuseTransferEngine.AzCopy;
        var content = RandomNumberGenerator.GetBytes(20 * 1024 * 1024);
        await Sandbox.UploadAsync("shared.bin", content);
        var expected = $"{content.Length} {Convert.ToHexString(SHA256.HashData(content))}";
        var barrier = Path.Combine(Sandbox.Root, "go");
        var environment = new Dictionary<string, string>(Sandbox.EnvironmentVariables) { ["AZFUSE_TEST_LOG_TO_STDERR"] = "1" };

        var helpers = Enumerable.Range(0, 4)
            .Select(_ => HelperProcess.Start(environment, Sandbox.Root, "open", "data/shared.bin", barrier))
            .ToList();
        foreach (var helper in helpers)
        {
            Assert.Equal("waiting", await helper.StandardOutput.ReadLineAsync());
        }

        File.WriteAllText(barrier, "go");
        var results = await Task.WhenAll(helpers.Select(h => HelperProcess.CompleteAsync(h)));

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.Stderr));
        Assert.All(results, r => Assert.Equal(expected, r.Stdout.Trim()));

        // One download: one pipe run, and one more per failed run that its process retried (a transient
        // azcopy failure under load, logged as event 13). A second lock holder's run has no such retry.
        var retried = results.SelectMany(r => r.Stderr.Split('\n')).Where(l => l.StartsWith("[13]", StringComparison.Ordinal) && l.Contains(": azcopy ", StringComparison.Ordinal)).ToList();
        Assert.True(
            AzCopy.Invocations.All(r => r == "BlobPipe") && AzCopy.Invocations.Count == 1 + retried.Count,
            $"one download expected; azcopy ran: {AzCopy.Who}; helper pids: {string.Join(", ", helpers.Select(h => h.Id))}; retries of azcopy: {(retried.Count == 0 ? "none" : string.Join(" | ", retried))}");
    }

    [Fact]
    public async Task Open_of_uncached_file_by_many_threads_at_once_downloads_it_once()
    {
        Sandbox.Engine = AzFuseTransferEngine.AzCopy;
        var content = RandomNumberGenerator.GetBytes(2 * 1024 * 1024);
        await Sandbox.UploadAsync("threads.bin", content);
        var logs = new CapturingLoggerFactory();
        var client = Sandbox.CreateClient(logs);

        var reads = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            await using var stream = await client.OpenAsync("data/threads.bin", FileMode.Open);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            return copy.ToArray();
        })));

        Assert.All(reads, r => Assert.Equal(content, r));
        AssertAzCopyRuns(["BlobPipe"], logs);
    }

    [Fact]
    public async Task Process_killed_mid_download_leaves_nothing_cached_and_a_later_open_downloads_cleanly()
    {
        // Large enough that the download takes about a second here, so the kill lands mid-stream.
        var source = Path.Combine(Sandbox.Root, "big.bin");
        byte[] expectedHash;
        await using (var file = File.Create(source))
        {
            var block = RandomNumberGenerator.GetBytes(1024 * 1024);
            for (var i = 0; i < 200; i++)
            {
                block[0] = (byte)i;
                await file.WriteAsync(block);
            }
        }

        await using (var file = File.OpenRead(source))
        {
            expectedHash = await SHA256.HashDataAsync(file);
        }

        await Sandbox.UploadFileAsync("big.bin", source);
        var cachePath = Sandbox.CachePathOf("big.bin");
        var partial = Path.Combine(Sandbox.CacheRoot, ".big.bin.azfuse-partial");

        // Paced, one range at a time: on loopback the parallel download of 200 MiB can end before
        // the kill lands (the helper then finishes first, and the test proves nothing).
        await using var proxy = LinkProxy.Start(Server, new LinkProfile(TimeSpan.Zero, 100_000_000));
        Sandbox.RouteThrough(proxy);
        var environment = new Dictionary<string, string>(Sandbox.EnvironmentVariables)
        {
            ["AZFUSE_TRANSFER_ENGINE"] = "http",
            ["AZFUSE_TEST_CHUNKS_IN_FLIGHT"] = "1",
        };
        var helper = HelperProcess.Start(environment, Sandbox.Root, "open", "data/big.bin");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        // The partial file has its full length from the start (sparse); what the helper has written
        // so far is what the kernel counts for it.
        while (!(File.Exists(partial) && BytesWritten(helper.Id) > 4 * 1024 * 1024))
        {
            Assert.True(DateTime.UtcNow < deadline, "the helper never started downloading");
            if (helper.HasExited)
            {
                Assert.Fail($"the helper finished (exit {helper.ExitCode}) before it could be killed: {await helper.StandardError.ReadToEndAsync()}");
            }
            await Task.Delay(2);
        }

        helper.Kill(); // SIGKILL: no finally block, no Dispose runs in the helper.
        await helper.WaitForExitAsync();

        Assert.False(File.Exists(cachePath), "a killed download must not look cached");

        var options = Sandbox.CreateOptions();
        options.LockTimeout = TimeSpan.FromSeconds(30); // a lock outliving its holder would fail here, not hang
        await using var stream = await new AzFuseClient(options).OpenAsync("data/big.bin", FileMode.Open);

        Assert.Equal(expectedHash, await SHA256.HashDataAsync(stream));
        Assert.False(File.Exists(partial));
    }

    /// <summary>The bytes a process has written to files so far (<c>write_bytes</c> would wait for the disk; <c>wchar</c> counts each write call).</summary>
    private static long BytesWritten(int processId)
    {
        try
        {
            var line = File.ReadLines($"/proc/{processId}/io").First(l => l.StartsWith("wchar:", StringComparison.Ordinal));
            return long.Parse(line["wchar:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0; // exited meanwhile
        }
    }
}
