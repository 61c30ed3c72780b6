using System.Diagnostics;
using System.Security.Cryptography;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.LargeFiles;

/// <summary>
/// A download killed with kill -9 about half-way resumes: the next Open checks the blob's ETag with
/// one HEAD and fetches only the ranges its record does not list; a blob that changed meanwhile is
/// fetched whole. Bytes and requests are counted by a proxy between the library and Azurite.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ResumedDownloadTests(AzuriteFixture azurite) : ProxiedSandboxTest(azurite)
{
    private const int Chunk = 1 << 20;
    private const int Ranges = 24;

    [Fact]
    public async Task A_download_killed_half_way_resumes_and_fetches_only_the_missing_ranges()
    {
        var content = RandomNumberGenerator.GetBytes(Ranges * Chunk);
        await Sandbox.UploadAsync("model.bin", content);
        var done = await KillHalfWayAsync("data/model.bin");

        Proxy.ResetCounters();
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(Client().ReadAllBytes("data/model.bin")));

        // One HEAD (is the blob still that version?), then a GET of each missing range, once.
        var requests = Proxy.Requests;
        Assert.Equal(1, requests.Count(r => r.StartsWith("HEAD ", StringComparison.Ordinal)));
        var fetched = requests.Where(r => r.StartsWith("GET ", StringComparison.Ordinal)).Select(r => r[(r.IndexOf("range=bytes=", StringComparison.Ordinal) + "range=bytes=".Length)..]).ToList();
        var missing = Enumerable.Range(0, Ranges).Where(i => !done.Contains(i)).Select(i => $"{i * (long)Chunk}-{((i + 1) * (long)Chunk) - 1}").ToList();
        Assert.Equal(missing.Order(), fetched.Order());
        Assert.InRange(Proxy.BytesToClients, missing.Count * (long)Chunk, (missing.Count * (long)Chunk) + ((missing.Count + 1) * 2048L));
        Assert.Empty(Directory.EnumerateFiles(Sandbox.CacheRoot, ".model.bin.azfuse-*"));
    }

    [Fact]
    public async Task A_killed_download_of_a_blob_that_changed_meanwhile_starts_over_with_the_new_version()
    {
        await Sandbox.UploadAsync("model.bin", RandomNumberGenerator.GetBytes(Ranges * Chunk));
        await KillHalfWayAsync("data/model.bin");
        var replacement = RandomNumberGenerator.GetBytes((Ranges * Chunk) - 3);
        await Sandbox.UploadAsync("model.bin", replacement);

        Proxy.ResetCounters();
        Assert.Equal(SHA256.HashData(replacement), SHA256.HashData(Client().ReadAllBytes("data/model.bin")));

        Assert.Equal(Ranges, Proxy.Requests.Count(r => r.StartsWith("GET ", StringComparison.Ordinal)));
        Assert.Empty(Directory.EnumerateFiles(Sandbox.CacheRoot, ".model.bin.azfuse-*"));
    }

    [Fact]
    public async Task A_killed_download_of_a_blob_without_a_stored_md5_resumes_with_every_recorded_range_checked_again()
    {
        var content = RandomNumberGenerator.GetBytes(Ranges * Chunk);
        await Sandbox.UploadWithoutMd5Async("raw.bin", content);
        var done = await KillHalfWayAsync("data/raw.bin");

        // A recorded range damaged on disk (a power loss) is fetched again, not trusted.
        var damaged = done.Min();
        await using (var partial = new FileStream(Path.Combine(Sandbox.CacheRoot, ".raw.bin.azfuse-partial"), FileMode.Open, FileAccess.Write))
        {
            partial.Position = (damaged * (long)Chunk) + 10;
            partial.WriteByte((byte)(content[(damaged * Chunk) + 10] ^ 0xFF));
        }

        Proxy.ResetCounters();
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(Client().ReadAllBytes("data/raw.bin")));

        var gets = Proxy.Requests.Count(r => r.StartsWith("GET ", StringComparison.Ordinal));
        Assert.Equal(Ranges - done.Count + 1, gets);
    }

    /// <summary>
    /// Starts a child process that downloads <paramref name="logicalPath"/> in ranges of <see cref="Chunk"/>
    /// through a slow link, kills it (SIGKILL) once its range record lists about half of them, and
    /// returns the ranges the record lists.
    /// </summary>
    private async Task<HashSet<int>> KillHalfWayAsync(string logicalPath)
    {
        Proxy.Profile = new LinkProfile(TimeSpan.Zero, 4_000_000);
        var record = Path.Combine(Sandbox.CacheRoot, "." + Path.GetFileName(logicalPath) + ".azfuse-ranges");
        var environment = new Dictionary<string, string>(Sandbox.EnvironmentVariables)
        {
            ["AZFUSE_TRANSFER_ENGINE"] = "http",
            ["AZFUSE_TEST_CHUNK_SIZE"] = Chunk.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AZFUSE_TEST_CHUNKS_IN_FLIGHT"] = "4",
        };
        using var helper = HelperProcess.Start(environment, Sandbox.Root, "open", logicalPath);
        var deadline = Stopwatch.StartNew();
        while (RecordedRanges(record).Count < Ranges / 2)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "the helper never got half-way");
            if (helper.HasExited)
            {
                Assert.Fail($"the helper finished (exit {helper.ExitCode}) before it could be killed: {await helper.StandardError.ReadToEndAsync()}");
            }

            await Task.Delay(5);
        }

        helper.Kill(); // SIGKILL: nothing in the helper runs after this
        await helper.WaitForExitAsync();
        Proxy.Profile = LinkProfile.Loopback;

        // The dead helper's connections are closed by the proxy once it notices; until then it may
        // still pass on bytes of their responses, which the resumed download's count must not include.
        var drained = Stopwatch.StartNew();
        while (Proxy.OpenConnections > 0 && drained.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(10);
        }

        var done = RecordedRanges(record);
        Assert.InRange(done.Count, Ranges / 2, Ranges - 1);
        Assert.False(File.Exists(Sandbox.CachePathOf(Path.GetFileName(logicalPath))), "a killed download must not look cached");
        return done;
    }

    private static HashSet<int> RecordedRanges(string record)
    {
        try
        {
            using var file = new FileStream(record, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var text = new StreamReader(file).ReadToEnd();
            return text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(l => int.Parse(l.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        }
        catch (IOException)
        {
            return [];
        }
    }

    private AzFuseClient Client()
    {
        var options = Sandbox.CreateOptions();
        options.ChunkSize = Chunk;
        options.TransferEngine = AzFuseTransferEngine.Http;
        return new AzFuseClient(options);
    }
}
