using System.Globalization;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Safety;

/// <summary>AzFuse leaves nothing behind: lock files live only while held, ClearCache and a clean exit leave no state files.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class LitterTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    [Fact]
    public async Task After_2000_Opens_and_a_ClearCache_no_lock_file_or_other_file_remains()
    {
        const int Files = 2000;
        await Sandbox.UploadManyAsync(Enumerable.Range(0, Files).Select(i => ($"many/{i % 20}/{i}.txt", new[] { (byte)i })));
        var client = Sandbox.CreateClient();

        for (var i = 0; i < Files; i++)
        {
            Assert.Equal([(byte)i], client.ReadAllBytes($"data/many/{i % 20}/{i}.txt"));
        }

        Assert.Empty(Directory.EnumerateFiles(Sandbox.CacheRoot, "*.azfuse-lock", SearchOption.AllDirectories));
        client.ClearCache("data/many");

        Assert.Equal(0, client.GetCacheStats().Files);
        var workFolder = Path.Combine(Sandbox.CacheRoot, ".azfuse");
        Assert.Empty(StandingFiles.Without(Directory.EnumerateFiles(Sandbox.CacheRoot, "*", SearchOption.AllDirectories)));
        // The work folder, and this live process's writing folder in it, where the spares for its next misses wait.
        Assert.All(Directory.EnumerateDirectories(Sandbox.CacheRoot, "*", SearchOption.AllDirectories), d => Assert.True(d == workFolder || StandingFiles.IsWritingFolder(d, Sandbox.CacheRoot), d));
    }

    [Fact]
    public async Task ClearCache_of_the_whole_cache_leaves_the_work_folders_of_live_processes_alone()
    {
        await Sandbox.UploadAsync("a.txt", "a");
        var client = Sandbox.CreateClient();
        client.WriteAllText("data/written.txt", "written"); // a journal and a writing folder, empty between writes
        client.ReadAllText("data/a.txt");
        var work = Directory.EnumerateDirectories(Path.Combine(Sandbox.CacheRoot, ".azfuse"), "*", SearchOption.AllDirectories).ToList();

        client.ClearCache("data");

        Assert.All(work, folder => Assert.True(Directory.Exists(folder), folder));
        client.WriteAllText("data/again.txt", "again");
        Assert.Equal("again", await Sandbox.DownloadTextAsync("again.txt"));
    }

    [Fact]
    public async Task Two_processes_racing_fills_while_a_third_clears_never_download_one_file_twice_at_once_and_read_every_byte()
    {
        const int Files = 12;
        const int Rounds = 20;
        await Sandbox.UploadManyAsync(Enumerable.Range(0, Files).Select(i => ($"race/{i}.bin", TestContent.ForFile(i))));

        // The three processes overlap however the machine schedules their starts: the clearer
        // begins once a filler has cached a file, and the fillers go on until the clearer is done.
        // (Run independently, the fillers once finished all their rounds before the clearer began.)
        var done = Path.Combine(Sandbox.Root, "clearer-done");
        var fillers = Enumerable.Range(0, 2)
            .Select(_ => HelperProcess.Start(Sandbox.EnvironmentVariables, Sandbox.Root, "fill-rounds", Rounds.ToString(CultureInfo.InvariantCulture), "data/race", Files.ToString(CultureInfo.InvariantCulture), done))
            .ToList();
        var clearer = HelperProcess.Start(Sandbox.EnvironmentVariables, Sandbox.Root, "clear-rounds", Rounds.ToString(CultureInfo.InvariantCulture), "data/race", "data/race/0.bin", done);
        var results = await Task.WhenAll(fillers.Append(clearer).Select(h => HelperProcess.CompleteAsync(h, TimeSpan.FromMinutes(4))));

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.Stderr));
        var downloads = results.Take(2).SelectMany(r => Intervals(r.Stdout)).ToList();
        Assert.True(downloads.Count > Files, $"{downloads.Count} downloads: the clearer never made the fillers download again");
        foreach (var file in downloads.GroupBy(d => d.Path))
        {
            var ordered = file.OrderBy(d => d.Start).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                Assert.True(ordered[i].Start > ordered[i - 1].End, $"{file.Key} was downloaded by two holders at once");
            }
        }

        Assert.Empty(Directory.EnumerateFiles(Sandbox.CacheRoot, "*.azfuse-lock", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_clean_exit_leaves_no_journal_writing_folder_or_lock_file()
    {
        var helper = HelperProcess.Start(Sandbox.EnvironmentVariables, Sandbox.Root, "write", "data/exit.txt", "written");
        var result = await HelperProcess.CompleteAsync(helper);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("written", File.ReadAllText(Sandbox.CachePathOf("exit.txt")));
        var workFolder = Path.Combine(Sandbox.CacheRoot, ".azfuse");
        Assert.Empty(StandingFiles.Without(Directory.Exists(workFolder) ? Directory.EnumerateFiles(workFolder, "*", SearchOption.AllDirectories) : []));
        Assert.Empty(Directory.EnumerateFiles(Sandbox.CacheRoot, ".*.azfuse-lock"));
    }

    [Fact]
    public void Abandoned_staging_and_writing_folders_are_pruned_when_the_library_starts()
    {
        var staging = Path.Combine(Sandbox.CacheRoot, ".azfuse", "staging", "20200101T000000-dead");
        var writing = Path.Combine(Sandbox.CacheRoot, ".azfuse", "writing", "20200101T000000-dead");
        foreach (var folder in new[] { staging, writing })
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "left-by-a-killed-process"), "x");
        }

        var client = Sandbox.CreateClient();
        Assert.Equal(0, client.GetCacheStats().Files); // the first call starts the library

        Assert.False(Directory.Exists(staging));
        Assert.False(Directory.Exists(writing));
    }

    private static IEnumerable<(string Path, long Start, long End)> Intervals(string stdout)
    {
        var open = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.Split(' ') is not ["download", var kind, var time, var path])
            {
                continue;
            }

            var timestamp = long.Parse(time, CultureInfo.InvariantCulture);
            if (kind == "start")
            {
                open[path] = timestamp;
            }
            else if (open.Remove(path, out var start))
            {
                yield return (path, start, timestamp);
            }
        }
    }
}
