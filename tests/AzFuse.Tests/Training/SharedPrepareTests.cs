using System.Globalization;
using System.Text.RegularExpressions;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Training;

/// <summary>
/// One download per file per machine, whoever asks: ranks of a training job (processes) that
/// Prepare the same files share the work, and each returns with every file it asked for cached.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed partial class SharedPrepareTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    private const int Files = 500;

    [Fact]
    public async Task Eight_processes_preparing_the_same_files_fetch_each_blob_once_and_all_return_with_every_file()
    {
        await SeedAsync();

        var results = await RunTogetherAsync(Enumerable.Repeat((0, Files), 8));

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.Stderr));
        AssertEachBlobFetchedOnce(await GetsPerBlobAsync(), 0, Files);
    }

    [Fact]
    public async Task Processes_preparing_overlapping_lists_fetch_each_blob_once()
    {
        await SeedAsync();

        var results = await RunTogetherAsync(Enumerable.Repeat((0, 300), 4).Concat(Enumerable.Repeat((200, Files), 4)));

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.Stderr));
        AssertEachBlobFetchedOnce(await GetsPerBlobAsync(), 0, Files);
    }

    [Fact]
    public async Task A_process_killed_mid_prepare_leaves_nothing_torn_and_the_others_still_finish()
    {
        await SeedAsync();
        var barrier = Path.Combine(Sandbox.Root, "go");
        var victim = HelperProcess.Start(Sandbox.EnvironmentVariables, Sandbox.Root, "prepare", "data/set", "0", Files.ToString(CultureInfo.InvariantCulture), barrier);
        var others = Enumerable.Range(0, 4)
            .Select(_ => HelperProcess.Start(Sandbox.EnvironmentVariables, Sandbox.Root, "prepare", "data/set", "0", Files.ToString(CultureInfo.InvariantCulture), barrier))
            .ToList();
        foreach (var helper in others.Append(victim))
        {
            Assert.Equal("waiting", await helper.StandardOutput.ReadLineAsync());
        }

        File.WriteAllText(barrier, string.Empty);
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (CachedCount() < 50)
        {
            Assert.True(DateTime.UtcNow < deadline, "nothing was fetched");
            await Task.Delay(5);
        }

        victim.Kill(); // SIGKILL, in the middle of its fetches: its claims go with it
        await victim.WaitForExitAsync();
        var results = await Task.WhenAll(others.Select(h => HelperProcess.CompleteAsync(h, TimeSpan.FromMinutes(4))));

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.Stderr)); // each checked every byte of all 500
        Assert.Empty(Directory.EnumerateFiles(Sandbox.CacheRoot, "*.azfuse-partial", SearchOption.AllDirectories));
    }

    private Task SeedAsync() => Sandbox.UploadManyAsync(Enumerable.Range(0, Files).Select(i => ($"set/{i}.bin", TestContent.ForFile(i))));

    private int CachedCount() =>
        Directory.Exists(Path.Combine(Sandbox.CacheRoot, "set")) ? Directory.EnumerateFiles(Path.Combine(Sandbox.CacheRoot, "set"), "*.bin").Count() : 0;

    /// <summary>Starts one helper per range, lets them Prepare together (a barrier file), and waits for all.</summary>
    private async Task<(int ExitCode, string Stdout, string Stderr)[]> RunTogetherAsync(IEnumerable<(int From, int To)> ranges)
    {
        var barrier = Path.Combine(Sandbox.Root, "go");
        var helpers = ranges
            .Select(r => HelperProcess.Start(Sandbox.EnvironmentVariables, Sandbox.Root, "prepare", "data/set", r.From.ToString(CultureInfo.InvariantCulture), r.To.ToString(CultureInfo.InvariantCulture), barrier))
            .ToList();
        foreach (var helper in helpers)
        {
            Assert.Equal("waiting", await helper.StandardOutput.ReadLineAsync());
        }

        File.WriteAllText(barrier, string.Empty);
        return await Task.WhenAll(helpers.Select(h => HelperProcess.CompleteAsync(h, TimeSpan.FromMinutes(4))));
    }

    /// <summary>How many GETs Azurite served for each blob of the set, from its access log.</summary>
    private async Task<Dictionary<int, int>> GetsPerBlobAsync()
    {
        var counts = new Dictionary<int, int>();
        foreach (var request in await Server.RequestsToAsync(Sandbox.ContainerName))
        {
            var match = GetOfBlob().Match(request);
            if (match.Success)
            {
                var i = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                counts[i] = counts.GetValueOrDefault(i) + 1;
            }
        }

        return counts;
    }

    private static void AssertEachBlobFetchedOnce(Dictionary<int, int> gets, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            Assert.True(gets.GetValueOrDefault(i) == 1, $"set/{i}.bin was fetched {gets.GetValueOrDefault(i)} times");
        }
    }

    [GeneratedRegex(@"^GET /devstoreaccount1/[^/]+/azfuse_data/set/(\d+)\.bin(\?|$)", RegexOptions.CultureInvariant)]
    private static partial Regex GetOfBlob();
}
