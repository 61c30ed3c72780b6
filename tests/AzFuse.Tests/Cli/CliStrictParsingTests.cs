using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Cli;

/// <summary>Options the tool does not know are usage errors; cat reads on past a missing file; reads show what is remote now.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CliStrictParsingTests(AzuriteFixture azurite) : CliTest(azurite)
{
    [Theory]
    [InlineData("'--bogus'", "ls", "--bogus", "data")]
    [InlineData("'-f'", "rm", "-rf", "data/keep.txt")]
    [InlineData("'--force'", "rm", "--force", "data/keep.txt")]
    [InlineData("'-x'", "cat", "-x", "data/keep.txt")]
    public async Task An_unknown_option_is_a_usage_error_with_the_commands_usage_and_nothing_is_done(string named, params string[] arguments)
    {
        await Sandbox.UploadAsync("keep.txt", "kept");

        var result = await AzFuseWithInputAsync("y\n", arguments);

        var line = AssertOneErrorLine(result, 2);
        Assert.Contains($"unknown option {named}", line, StringComparison.Ordinal);
        Assert.Contains($"Usage: azfuse {arguments[0]} ", line, StringComparison.Ordinal);
        Assert.Equal("kept", await Sandbox.DownloadTextAsync("keep.txt"));
    }

    [Fact]
    public async Task Known_spellings_bundles_and_values_that_look_like_options_still_parse()
    {
        await Sandbox.UploadManyAsync([("dir/a.txt", "a"u8.ToArray()), ("dir/b.txt", "b"u8.ToArray())]);

        var bundled = await AzFuseAsync("rm", "-ry", "-v", "data/dir");
        var lines = await AzFuseAsync("head", "-n1", "--verbose", "data/missing.txt");

        Assert.True(bundled.ExitCode == 0, bundled.Stderr);
        Assert.Null(await Sandbox.DownloadTextAsync("dir/a.txt"));
        Assert.Equal(1, lines.ExitCode); // parsed, then the file is missing
    }

    [Fact]
    public async Task Cat_reports_a_missing_file_and_prints_the_others()
    {
        await Sandbox.UploadManyAsync([("a.txt", "first\n"u8.ToArray()), ("b.txt", "second\n"u8.ToArray())]);

        var result = await AzFuseAsync("cat", "data/a.txt", "data/missing.txt", "data/b.txt");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("first\nsecond\n", result.Stdout);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("data/missing.txt", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cat_head_and_tail_show_the_remote_content_as_it_is_now_unless_told_not_to_check()
    {
        await Sandbox.UploadAsync("notes.txt", "old\n");
        Assert.Equal("old\n", (await AzFuseAsync("cat", "data/notes.txt")).Stdout);
        await Sandbox.UploadAsync("notes.txt", "new\n"); // another machine rewrites it

        var stale = await AzFuseAsync("cat", "--no-revalidate", "data/notes.txt");
        var cat = await AzFuseAsync("cat", "data/notes.txt");
        await Sandbox.UploadAsync("notes.txt", "newer\n");
        var head = await AzFuseAsync("head", "data/notes.txt");
        await Sandbox.UploadAsync("notes.txt", "newest\n");
        var tail = await AzFuseAsync("tail", "-n", "1", "data/notes.txt");

        Assert.Equal("old\n", stale.Stdout);
        Assert.Equal("new\n", cat.Stdout);
        Assert.Equal("newer\n", head.Stdout);
        Assert.Equal("newest\n", tail.Stdout);
    }

    [Fact]
    public async Task Dash_c_NAME_and_config_FILE_choose_the_mapping_file_and_turn_AzFuse_on()
    {
        var environment = await WithoutConfigurationAsync();

        var byName = await CliProcess.RunAsync(environment, Sandbox.Root, stdin: null, "-c", "other", "cat", "data/named.txt");
        var byFile = await CliProcess.RunAsync(environment, Sandbox.Root, stdin: null, "cat", "--config", Sandbox.MappingFile, "data/named.txt");
        var both = await CliProcess.RunAsync(environment, Sandbox.Root, stdin: null, "cat", "-c", "other", "--config", Sandbox.MappingFile, "data/named.txt");

        Assert.True(byName.ExitCode == 0, byName.Stderr);
        Assert.Equal("through -c", byName.Stdout);
        Assert.Equal("through -c", byFile.Stdout);
        Assert.Contains("give one of them", AssertOneErrorLine(both, 2), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ls", "-l", "data")]
    [InlineData("head", "-n", "1", "data/named.txt")]
    [InlineData("path", "data/named.txt")]
    [InlineData("url", "data/named.txt")]
    [InlineData("meta", "data/named.txt", "--set", "k=v")]
    [InlineData("tier", "cool", "data/named.txt")]
    [InlineData("cp", "data/named.txt", "data/copied.txt")]
    [InlineData("lease", "break", "data/named.txt")]
    [InlineData("d", "data/named.txt")]
    [InlineData("cache", "clear", "data")]
    [InlineData("resume")]
    [InlineData("rm", "--yes", "data/named.txt")]
    public async Task Dash_c_NAME_and_config_FILE_work_on_every_command(params string[] arguments)
    {
        // A command succeeds only if the option it was given turned AzFuse on and named the mapping file.
        var environment = await WithoutConfigurationAsync();

        var byName = await CliProcess.RunAsync(environment, Sandbox.Root, stdin: null, [.. arguments, "-c", "other"]);
        await Sandbox.UploadAsync("named.txt", "through -c"); // rm deleted it; the others change nothing that matters
        var byFile = await CliProcess.RunAsync(environment, Sandbox.Root, stdin: null, ["--config", Sandbox.MappingFile, .. arguments]);

        Assert.True(byName.ExitCode == 0, $"{string.Join(' ', arguments)} -c other: {byName.Stderr}");
        Assert.True(byFile.ExitCode == 0, $"--config FILE {string.Join(' ', arguments)}: {byFile.Stderr}");
    }

    /// <summary>
    /// The blob data/named.txt, the sandbox's mapping file also as aux_data/azfuse/other.yaml (the
    /// Python tool's -c NAME reads aux_data/azfuse/NAME.yaml under the current directory), and an
    /// environment that names no mapping file and leaves AzFuse off.
    /// </summary>
    private async Task<Dictionary<string, string>> WithoutConfigurationAsync()
    {
        await Sandbox.UploadAsync("named.txt", "through -c");
        Directory.CreateDirectory(Path.Combine(Sandbox.Root, "aux_data", "azfuse"));
        File.Copy(Sandbox.MappingFile, Path.Combine(Sandbox.Root, "aux_data", "azfuse", "other.yaml"));
        var environment = Environment;
        environment.Remove("AZFUSE_USE_FUSE");
        environment.Remove("AZFUSE_CLOUD_FUSE_CONFIG_FILE");
        return environment;
    }
}
