using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Cli;

/// <summary>azfuse rm: confirmation through stdin, --yes, and folders only with -r.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CliRemoveTests(AzuriteFixture azurite) : CliTest(azurite)
{
    [Theory]
    [InlineData("n\n")]
    [InlineData("")]
    [InlineData("whatever\n")]
    public async Task Rm_asks_and_deletes_nothing_unless_the_answer_is_yes(string answer)
    {
        await Sandbox.UploadAsync("keep.txt", "keep");

        var result = await AzFuseWithInputAsync(answer, "rm", "data/keep.txt");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Delete 1 file (data/keep.txt)? This cannot be undone. [y/N]", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("nothing deleted", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("keep", await Sandbox.DownloadTextAsync("keep.txt"));
    }

    [Fact]
    public async Task Rm_answered_y_deletes_the_blob_and_the_cached_copy()
    {
        await Sandbox.UploadAsync("gone.txt", "gone");
        await AzFuseAsync("cat", "data/gone.txt");
        Assert.True(File.Exists(Sandbox.CachePathOf("gone.txt")));

        var result = await AzFuseWithInputAsync("y\n", "rm", "data/gone.txt");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("deleted data/gone.txt\n", result.Stdout);
        Assert.Null(await Sandbox.DownloadTextAsync("gone.txt"));
        Assert.False(File.Exists(Sandbox.CachePathOf("gone.txt")));
    }

    [Fact]
    public async Task Rm_refuses_a_folder_without_r_and_deletes_all_of_it_with_r_and_yes_without_asking()
    {
        await Sandbox.UploadManyAsync([("dir/a.txt", "a"u8.ToArray()), ("dir/sub/b.txt", "b"u8.ToArray()), ("other.txt", "o"u8.ToArray())]);

        var refused = await AzFuseWithInputAsync("y\n", "rm", "data/dir");
        var line = AssertOneErrorLine(refused, 2);
        Assert.Contains("add -r", line, StringComparison.Ordinal);
        Assert.Equal("a", await Sandbox.DownloadTextAsync("dir/a.txt"));

        var deleted = await AzFuseAsync("rm", "-r", "--yes", "data/dir");

        Assert.Equal(0, deleted.ExitCode);
        Assert.Equal("", deleted.Stderr);
        Assert.Equal("deleted data/dir/a.txt\ndeleted data/dir/sub/b.txt\n", deleted.Stdout);
        Assert.Null(await Sandbox.DownloadTextAsync("dir/sub/b.txt"));
        Assert.Equal("o", await Sandbox.DownloadTextAsync("other.txt"));
    }

    [Fact]
    public async Task Rm_of_a_missing_path_fails_and_deletes_nothing_else()
    {
        await Sandbox.UploadAsync("there.txt", "t");

        var result = await AzFuseAsync("rm", "--yes", "data/there.txt", "data/not-there.txt");

        var line = AssertOneErrorLine(result, 1);
        Assert.Contains("data/not-there.txt", line, StringComparison.Ordinal);
        Assert.Equal("t", await Sandbox.DownloadTextAsync("there.txt"));
    }
}
