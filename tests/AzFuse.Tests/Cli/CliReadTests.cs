using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Cli;

/// <summary>azfuse cat, head and tail; exit codes and one-line errors.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CliReadTests(AzuriteFixture azurite) : CliTest(azurite)
{
    private static readonly string s_lines = string.Concat(Enumerable.Range(1, 30).Select(i => $"line {i}\n"));

    [Fact]
    public async Task Cat_prints_the_bytes_of_each_file_through_the_cache()
    {
        await Sandbox.UploadAsync("a.txt", "first\n");
        await Sandbox.UploadAsync("b.txt", "second\n");

        var result = await AzFuseAsync("cat", "data/a.txt", "data/b.txt");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("first\nsecond\n", result.Stdout);
        Assert.Equal("", result.Stderr);
        Assert.Equal("first\n", File.ReadAllText(Sandbox.CachePathOf("a.txt")));
    }

    [Fact]
    public async Task Head_and_tail_print_ten_lines_by_default_and_n_lines_with_n()
    {
        await Sandbox.UploadAsync("log.txt", s_lines);

        var head = await AzFuseAsync("head", "data/log.txt");
        var headThree = await AzFuseAsync("head", "-n", "3", "data/log.txt");
        var tail = await AzFuseAsync("tail", "data/log.txt", "--lines", "2");

        Assert.Equal(string.Concat(Enumerable.Range(1, 10).Select(i => $"line {i}\n")), head.Stdout);
        Assert.Equal("line 1\nline 2\nline 3\n", headThree.Stdout);
        Assert.Equal("line 29\nline 30\n", tail.Stdout);
        Assert.All([head, headThree, tail], r => Assert.Equal(0, r.ExitCode));
    }

    [Fact]
    public async Task A_missing_file_fails_with_exit_code_1_and_one_line_naming_it()
    {
        var result = await AzFuseAsync("cat", "data/missing.txt");

        var line = AssertOneErrorLine(result, 1);
        Assert.Contains("data/missing.txt", line, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Verbose_adds_the_details_and_stack_of_an_error()
    {
        var result = await AzFuseAsync("cat", "data/missing.txt", "--verbose");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("System.IO.FileNotFoundException", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("head", "-n", "-1", "data/x.txt")]
    [InlineData("head", "-n", "many", "data/x.txt")]
    [InlineData("cat")]
    [InlineData("url", "data/x.txt", "--expiry", "30x")]
    [InlineData("prepare")]
    public async Task Bad_usage_exits_with_2_and_one_line_that_says_what_is_wrong(params string[] arguments)
    {
        var result = await AzFuseAsync(arguments);

        var line = AssertOneErrorLine(result, 2);
        Assert.Contains("azfuse --help", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_AZFUSE_USE_FUSE_commands_read_local_files_and_say_so_once_on_stderr()
    {
        var local = Path.Combine(Sandbox.Root, "local.txt");
        File.WriteAllText(local, s_lines);
        var environment = Environment;
        environment.Remove("AZFUSE_USE_FUSE");

        var result = await CliProcess.RunAsync(environment, Sandbox.Root, stdin: null, "head", "-n", "1", local);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("line 1\n", result.Stdout);
        var notice = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("AZFUSE_USE_FUSE is not set: acting on local files", notice, StringComparison.Ordinal);
    }
}
