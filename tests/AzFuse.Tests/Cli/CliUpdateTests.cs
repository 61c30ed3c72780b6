using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Cli;

/// <summary>azfuse update (edit): $EDITOR on a copy, uploaded only when it changed.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CliUpdateTests(AzuriteFixture azurite) : CliTest(azurite)
{
    [Fact]
    public async Task Update_uploads_the_file_when_the_editor_changed_it()
    {
        await Sandbox.UploadAsync("notes.txt", "hello\n");
        var environment = Environment;
        environment["EDITOR"] = Editor("sed -i s/hello/bye/ \"$1\"");

        var result = await CliProcess.RunAsync(environment, Sandbox.Root, null, "update", "data/notes.txt");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("data/notes.txt: changed, uploaded 4 bytes\n", result.Stdout);
        Assert.Equal("bye\n", await Sandbox.DownloadTextAsync("notes.txt"));
        Assert.Equal("bye\n", File.ReadAllText(Sandbox.CachePathOf("notes.txt")));
    }

    [Fact]
    public async Task Edit_uploads_nothing_when_the_editor_left_the_file_as_it_was()
    {
        await Sandbox.UploadAsync("same.txt", "same\n");
        var before = await Sandbox.GetPropertiesAsync("same.txt");
        var environment = Environment;
        var log = Path.Combine(Sandbox.Root, "editor-ran");
        environment["EDITOR"] = Editor($"echo \"$1\" > '{log}'");

        var result = await CliProcess.RunAsync(environment, Sandbox.Root, null, "edit", "data/same.txt");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("data/same.txt: unchanged, nothing uploaded\n", result.Stdout);
        Assert.EndsWith("same.txt\n", File.ReadAllText(log), StringComparison.Ordinal);
        Assert.Equal(before, await Sandbox.GetPropertiesAsync("same.txt"));
        Assert.Empty(AzCopy.Invocations);
    }

    [Fact]
    public async Task An_editor_that_fails_uploads_nothing_and_fails_the_command()
    {
        await Sandbox.UploadAsync("x.txt", "x\n");
        var environment = Environment;
        environment["EDITOR"] = Editor("echo changed > \"$1\"; exit 3");

        var result = await CliProcess.RunAsync(environment, Sandbox.Root, null, "update", "data/x.txt");

        var line = AssertOneErrorLine(result, 1);
        Assert.Contains("exited with code 3", line, StringComparison.Ordinal);
        Assert.Equal("x\n", await Sandbox.DownloadTextAsync("x.txt"));
    }

    /// <summary>A stand-in editor: a script that edits its argument the way a user would, without a terminal.</summary>
    private string Editor(string body) => Script("editor", body);
}
