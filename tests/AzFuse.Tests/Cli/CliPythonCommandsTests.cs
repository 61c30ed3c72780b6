using AzFuse.Tests.Infrastructure;
using Azure.Storage.Blobs.Models;

namespace AzFuse.Tests.Cli;

/// <summary>The Python tool's commands this tool adds: path, display/open, tier/cold, meta/clear_meta, lease break/break, cp, u; and its names download/d and nvim.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CliPythonCommandsTests(AzuriteFixture azurite) : CliTest(azurite)
{
    [Fact]
    public async Task Path_prints_the_cached_file_and_display_hands_the_cached_files_to_the_viewer()
    {
        await Sandbox.UploadManyAsync([("img/a.png", "png a"u8.ToArray()), ("img/b.png", "png b"u8.ToArray())]);
        var record = Path.Combine(Sandbox.Root, "viewer.log");
        var viewer = Script("viewer", $"for f in \"$@\"; do echo \"$f $(cat \"$f\")\" >> '{record}'; done");

        var path = await AzFuseAsync("path", "data/img/a.png");
        var environment = Environment;
        environment["AZFUSE_VIEWER"] = viewer;
        var display = await CliProcess.RunAsync(environment, Sandbox.Root, stdin: null, "display", "data/img/a.png", "data/img/b.png");
        var open = await CliProcess.RunAsync(environment, Sandbox.Root, stdin: null, "open", "data/img/b.png");

        Assert.True(path.ExitCode == 0, path.Stderr);
        Assert.Equal(Sandbox.CachePathOf("img/a.png") + "\n", path.Stdout);
        Assert.True(display.ExitCode == 0, display.Stderr);
        Assert.True(open.ExitCode == 0, open.Stderr);
        Assert.Equal(
            [$"{Sandbox.CachePathOf("img/a.png")} png a", $"{Sandbox.CachePathOf("img/b.png")} png b", $"{Sandbox.CachePathOf("img/b.png")} png b"],
            File.ReadAllLines(record));
    }

    [Fact]
    public async Task Tier_and_cold_move_blobs_and_ls_l_shows_the_tier()
    {
        await Sandbox.UploadManyAsync([("t/a.bin", [1]), ("t/b.bin", [2])]);

        var tier = await AzFuseAsync("tier", "cool", "data/t/a.bin");
        var cold = await AzFuseAsync("cold", "data/t/b.bin");
        var bad = await AzFuseAsync("tier", "lukewarm", "data/t/a.bin");
        var list = await AzFuseAsync("ls", "-l", "data/t");

        Assert.True(tier.ExitCode == 0, tier.Stderr);
        Assert.Equal("data/t/a.bin: cool\n", tier.Stdout);
        Assert.True(cold.ExitCode == 0, cold.Stderr);
        Assert.Equal(AccessTier.Cool, (await Sandbox.GetBlobPropertiesAsync("t/a.bin"))!.AccessTier);
        Assert.Equal(AccessTier.Cold, (await Sandbox.GetBlobPropertiesAsync("t/b.bin"))!.AccessTier);
        AssertOneErrorLine(bad, 2);
        Assert.Matches(@"(?m)^\s*1 .* Cool data/t/a\.bin\s*$", list.Stdout);
        Assert.Matches(@"(?m)^\s*1 .* Cold data/t/b\.bin\s*$", list.Stdout);
    }

    [Fact]
    public async Task Meta_shows_sets_and_clears_metadata()
    {
        await Sandbox.UploadAsync("m.txt", "m");

        var set = await AzFuseAsync("meta", "data/m.txt", "--set", "owner=team-a", "--set", "run=7");
        var shown = await AzFuseAsync("meta", "data/m.txt");
        var cleared = await AzFuseAsync("clear_meta", "data/m.txt");
        var bad = await AzFuseAsync("meta", "data/m.txt", "--set", "no-equals-sign");

        Assert.True(set.ExitCode == 0, set.Stderr);
        Assert.Equal("owner: team-a\nrun: 7\n", shown.Stdout);
        Assert.True(cleared.ExitCode == 0, cleared.Stderr);
        Assert.Empty((await Sandbox.GetBlobPropertiesAsync("m.txt"))!.Metadata);
        Assert.Contains("NAME=VALUE", AssertOneErrorLine(bad, 2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lease_break_and_break_free_a_lease_whose_holder_is_gone()
    {
        await Sandbox.UploadManyAsync([("l/a.lock", []), ("l/b.lock", [])]);
        var client = Sandbox.CreateClient();
        var first = client.AcquireLease("data/l/a.lock", Timeout.InfiniteTimeSpan);
        var second = client.AcquireLease("data/l/b.lock", Timeout.InfiniteTimeSpan);

        var broken = await AzFuseAsync("lease", "break", "data/l/a.lock");
        var python = await AzFuseAsync("break", "data/l/b.lock");

        Assert.True(broken.ExitCode == 0, broken.Stderr);
        Assert.True(python.ExitCode == 0, python.Stderr);
        Assert.Equal(LeaseState.Broken, (await Sandbox.GetBlobPropertiesAsync("l/a.lock"))!.LeaseState);
        Assert.Equal(LeaseState.Broken, (await Sandbox.GetBlobPropertiesAsync("l/b.lock"))!.LeaseState);
        using var again = client.AcquireLease("data/l/a.lock", timeout: TimeSpan.Zero);
        GC.KeepAlive((first, second));
    }

    [Fact]
    public async Task Cp_copies_a_file_or_a_folder_service_side()
    {
        await Sandbox.UploadManyAsync([("src/a.txt", "a"u8.ToArray()), ("src/sub/b.txt", "b"u8.ToArray())]);

        var one = await AzFuseAsync("cp", "data/src/a.txt", "data/one.txt");
        var tree = await AzFuseAsync("cp", "-r", "data/src", "data/dst");

        Assert.True(one.ExitCode == 0, one.Stderr);
        Assert.True(tree.ExitCode == 0, tree.Stderr);
        Assert.Equal("a", await Sandbox.DownloadTextAsync("one.txt"));
        Assert.Equal("a", await Sandbox.DownloadTextAsync("dst/a.txt"));
        Assert.Equal("b", await Sandbox.DownloadTextAsync("dst/sub/b.txt"));
    }

    [Fact]
    public async Task U_dash_f_copies_from_another_configuration_and_u_uploads_an_edited_cached_copy()
    {
        // aux_data/azfuse/old.yaml maps 'data' to another prefix of the container: the same path, elsewhere.
        await Sandbox.UploadBlobAsync("old_prefix/x.txt", "from the old configuration"u8.ToArray());
        Directory.CreateDirectory(Path.Combine(Sandbox.Root, "aux_data", "azfuse"));
        File.WriteAllText(Path.Combine(Sandbox.Root, "aux_data", "azfuse", "old.yaml"), $"- {{cache: {Path.Combine(Sandbox.Root, "cache", "old")}, local: data, remote: old_prefix, storage_account: azurite}}\n");
        await Sandbox.UploadAsync("edited.txt", "as uploaded");
        await AzFuseAsync("cat", "data/edited.txt");
        File.WriteAllText(Sandbox.CachePathOf("edited.txt"), "edited in the cache");

        var copied = await AzFuseAsync("u", "-f", "old", "data/x.txt");
        var uploaded = await AzFuseAsync("u", "data/edited.txt");

        Assert.True(copied.ExitCode == 0, copied.Stderr);
        Assert.Equal("from the old configuration", await Sandbox.DownloadTextAsync("x.txt"));
        Assert.True(uploaded.ExitCode == 0, uploaded.Stderr);
        Assert.Equal("edited in the cache", await Sandbox.DownloadTextAsync("edited.txt"));
    }

    [Fact]
    public async Task The_Python_tools_names_download_d_and_nvim_are_prepare_and_update()
    {
        await Sandbox.UploadManyAsync([("py/a.txt", "a"u8.ToArray()), ("py/b.txt", "b"u8.ToArray()), ("py/c.txt", "c\n"u8.ToArray())]);
        var environment = Environment;
        environment["EDITOR"] = Script("editor", "echo edited > \"$1\"");

        var download = await AzFuseAsync("download", "data/py/a.txt");
        var d = await AzFuseAsync("d", "data/py/b.txt");
        var nvim = await CliProcess.RunAsync(environment, Sandbox.Root, stdin: null, "nvim", "data/py/c.txt");

        Assert.True(download.ExitCode == 0, download.Stderr);
        Assert.True(d.ExitCode == 0, d.Stderr);
        Assert.Equal("a", File.ReadAllText(Sandbox.CachePathOf("py/a.txt")));
        Assert.Equal("b", File.ReadAllText(Sandbox.CachePathOf("py/b.txt")));
        Assert.True(nvim.ExitCode == 0, nvim.Stderr);
        Assert.Equal("edited\n", await Sandbox.DownloadTextAsync("py/c.txt"));
    }
}
