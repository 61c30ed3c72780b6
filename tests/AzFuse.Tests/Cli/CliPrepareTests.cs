using System.Text;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Cli;

/// <summary>azfuse prepare: folders, lists, and its progress on a terminal and in a pipe.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CliPrepareTests(AzuriteFixture azurite) : CliTest(azurite)
{
    private const char Escape = '\u001b';

    [Fact]
    public async Task Prepare_of_a_folder_caches_every_file_under_it_and_prints_plain_lines_when_stdout_is_not_a_terminal()
    {
        await SeedAsync(30);

        var result = await AzFuseAsync("prepare", "data/set");

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain(Escape, result.Stdout);
        Assert.Matches(@"(?m)^prepare: 30/30 files, 2\.[0-9] KiB, .+/s in [0-9.]+ s$", result.Stdout);
        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(Content(i), File.ReadAllText(Sandbox.CachePathOf($"set/sub{i % 3}/{i}.txt")));
        }
    }

    [Fact]
    public async Task Prepare_shows_a_live_progress_bar_when_stdout_is_a_terminal()
    {
        await SeedAsync(30);

        var result = await CliProcess.RunInTerminalAsync(Environment, Sandbox.Root, "prepare", "data/set");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(Escape + "[", result.Stdout, StringComparison.Ordinal); // drawn with ANSI sequences
        Assert.Contains("prepare 30/30 files", result.Stdout, StringComparison.Ordinal); // the bar's description
        Assert.Contains("100%", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("━", result.Stdout, StringComparison.Ordinal); // the bar itself
        Assert.True(File.Exists(Sandbox.CachePathOf("set/sub2/29.txt")));
    }

    [Fact]
    public async Task Prepare_from_a_list_on_stdin_fetches_the_listed_files_and_names_the_missing_one()
    {
        await SeedAsync(6);
        var list = "# wanted\ndata/set/sub0/0.txt\n\ndata/set/sub1/4.txt\ndata/set/sub0/missing.txt\n";

        var result = await AzFuseWithInputAsync(list, "prepare", "--from-file", "-");

        var line = AssertOneErrorLine(result, 1);
        Assert.Contains("data/set/sub0/missing.txt", line, StringComparison.Ordinal);
        Assert.Contains("prepare: 2/3 files, 1 failed", result.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Sandbox.CachePathOf("set/sub0/0.txt")));
        Assert.True(File.Exists(Sandbox.CachePathOf("set/sub1/4.txt")));
        Assert.False(File.Exists(Sandbox.CachePathOf("set/sub2/2.txt")));
    }

    private Task SeedAsync(int count) =>
        Sandbox.UploadManyAsync(Enumerable.Range(0, count).Select(i => ($"set/sub{i % 3}/{i}.txt", Encoding.UTF8.GetBytes(Content(i)))));

    private static string Content(int i) => $"file {i} " + new string('z', 60);
}
