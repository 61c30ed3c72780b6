using System.Text.RegularExpressions;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Cli;

/// <summary>azfuse ls (plain, -r, -l, no folder) and azfuse url.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CliListAndUrlTests(AzuriteFixture azurite) : CliTest(azurite)
{
    private static readonly HttpClient s_http = new();

    [Fact]
    public async Task Ls_lists_files_and_sub_folders_and_with_r_every_file_below()
    {
        await Sandbox.UploadManyAsync([("set/a.txt", "a"u8.ToArray()), ("set/b.txt", "bb"u8.ToArray()), ("set/sub/c.txt", "ccc"u8.ToArray())]);

        var plain = await AzFuseAsync("ls", "data/set");
        var recursive = await AzFuseAsync("ls", "-r", "data/set");
        var roots = await AzFuseAsync("ls");

        Assert.Equal("data/set/sub/\ndata/set/a.txt\ndata/set/b.txt\n", plain.Stdout);
        Assert.Equal("data/set/a.txt\ndata/set/b.txt\ndata/set/sub/c.txt\n", recursive.Stdout);
        Assert.Equal("data/\n", roots.Stdout);
        Assert.All([plain, recursive, roots], r => Assert.Equal(0, r.ExitCode));
    }

    [Fact]
    public async Task Ls_l_shows_each_files_size_and_last_modified_time()
    {
        await Sandbox.UploadManyAsync([("set/a.txt", new byte[1234]), ("set/sub/c.txt", "c"u8.ToArray())]);

        var result = await AzFuseAsync("ls", "-l", "data/set");

        Assert.Equal(0, result.ExitCode);
        var rows = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(r => Regex.Split(r.Trim(), @"\s+")).ToList();
        Assert.Equal(["-", "-", "-", "-", "data/set/sub/"], rows[0]);
        Assert.Equal("1234", rows[1][0]);
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), rows[1][1]);
        Assert.Matches(@"^\d\d:\d\d:\d\d$", rows[1][2]);
        Assert.Equal(rows[1][1], rows[1][3]); // created today too
        Assert.Matches(@"^\d\d:\d\d:\d\d$", rows[1][4]);
        Assert.Equal("Hot", rows[1][5]);
        Assert.Equal("data/set/a.txt", rows[1][6]);
    }

    [Fact]
    public async Task Ls_of_a_file_shows_the_file_and_of_a_missing_path_fails()
    {
        await Sandbox.UploadAsync("set/a.txt", new byte[42]);

        var file = await AzFuseAsync("ls", "-l", "data/set/a.txt");
        var missing = await AzFuseAsync("ls", "data/set/none");

        Assert.Equal(0, file.ExitCode);
        Assert.Matches(@"^\s*42 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \d{4}-\d\d-\d\d \d\d:\d\d:\d\d Hot\s+data/set/a.txt\s*$", file.Stdout);
        Assert.Contains("data/set/none", AssertOneErrorLine(missing, 1), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Url_prints_a_read_only_link_that_serves_the_file_until_its_expiry()
    {
        await Sandbox.UploadAsync("share.txt", "shared content");

        var result = await AzFuseAsync("url", "data/share.txt", "--expiry", "2h");

        Assert.Equal(0, result.ExitCode);
        var url = result.Stdout.Trim();
        Assert.Contains("sp=r&", url, StringComparison.Ordinal);
        var expiry = DateTimeOffset.Parse(Uri.UnescapeDataString(Regex.Match(url, "se=([^&]+)").Groups[1].Value), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiry, DateTimeOffset.UtcNow.AddHours(1.9), DateTimeOffset.UtcNow.AddHours(2.1));
        Assert.Equal("shared content", await s_http.GetStringAsync(new Uri(url)));
    }

    [Fact]
    public async Task Url_of_a_missing_file_fails_with_one_line_and_no_signature()
    {
        var result = await AzFuseAsync("url", "data/none.txt");

        var line = AssertOneErrorLine(result, 1);
        Assert.Contains("data/none.txt", line, StringComparison.Ordinal);
        Assert.DoesNotContain("sig=", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }
}
