using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Cli;

/// <summary>azfuse cache stats and cache clear, resume with nothing pending, and doctor.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CliCacheAndDoctorTests(AzuriteFixture azurite) : CliTest(azurite)
{
    [Fact]
    public async Task Cache_clear_removes_cached_copies_of_a_folder_or_of_everything_and_keeps_the_blobs()
    {
        await Sandbox.UploadManyAsync([("a/1.txt", "1"u8.ToArray()), ("b/2.txt", "2"u8.ToArray())]);
        await AzFuseAsync("cat", "data/a/1.txt", "data/b/2.txt");

        var folder = await AzFuseAsync("cache", "clear", "data/a");
        Assert.Equal((0, "cleared data/a\n"), (folder.ExitCode, folder.Stdout));
        Assert.False(File.Exists(Sandbox.CachePathOf("a/1.txt")));
        Assert.True(File.Exists(Sandbox.CachePathOf("b/2.txt")));

        var all = await AzFuseAsync("cache", "clear");
        Assert.Equal((0, "cleared data\n"), (all.ExitCode, all.Stdout));
        Assert.False(File.Exists(Sandbox.CachePathOf("b/2.txt")));
        Assert.Equal("2", await Sandbox.DownloadTextAsync("b/2.txt"));
    }

    [Fact]
    public async Task Cache_stats_counts_the_files_and_bytes_the_cache_holds()
    {
        await Sandbox.UploadManyAsync([("s/1.txt", new byte[100]), ("s/2.txt", new byte[23])]);
        var empty = await AzFuseAsync("cache", "stats");
        await AzFuseAsync("prepare", "data/s");

        var filled = await AzFuseAsync("cache", "stats");

        Assert.Equal(0, filled.ExitCode);
        Assert.Equal(["cache folders 1", "files 0", "bytes 0"], Rows(empty.Stdout));
        Assert.Equal(["cache folders 1", "files 2", "bytes 123"], Rows(filled.Stdout));
    }

    [Fact]
    public async Task Resume_with_nothing_pending_says_so()
    {
        var result = await AzFuseAsync("resume");

        Assert.Equal((0, "uploaded 0 pending files\n", ""), (result.ExitCode, result.Stdout, result.Stderr));
    }

    [Fact]
    public async Task Doctor_prints_one_ok_line_per_check_on_a_good_setup()
    {
        var environment = Environment;
        environment["AZFUSE_AZCOPY_PATH"] = RepositoryTools.AzCopy;

        var result = await CliProcess.RunAsync(environment, Sandbox.Root, null, "doctor");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.StartsWith("ok    ", l, StringComparison.Ordinal));
        Assert.Equal(6, lines.Length);
        Assert.Contains(lines, l => l.Contains("azcopy", StringComparison.Ordinal) && l.EndsWith("version 10.32.2", StringComparison.Ordinal));
        Assert.Contains("ok    sign-in azurite.yaml (account key): signed a container SAS with the account key", lines);
        Assert.Contains(lines, l => l.Contains($"container {Server.Endpoint.AbsoluteUri.TrimEnd('/')}/{Sandbox.ContainerName} (data -> azfuse_data): reachable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Doctor_names_each_failure_with_a_fix_and_no_secret()
    {
        // A container that does not exist, and an azcopy that is not there.
        var accountFile = Path.Combine(Sandbox.AccountFolder, "azurite.yaml");
        File.WriteAllText(accountFile, File.ReadAllText(accountFile).Replace(Sandbox.ContainerName, "nosuchcontainer", StringComparison.Ordinal));
        var environment = Environment;
        environment["AZFUSE_AZCOPY_PATH"] = Path.Combine(Sandbox.Root, "no", "azcopy");

        var result = await CliProcess.RunAsync(environment, Sandbox.Root, null, "doctor");

        Assert.Equal(1, result.ExitCode);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var failures = lines.Where(l => l.StartsWith("FAIL  ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, failures.Count);
        Assert.All(failures, f => Assert.Contains("; fix: ", f, StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("FAIL  azcopy: ", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("nosuchcontainer", StringComparison.Ordinal));
        Assert.DoesNotContain(AzuriteServer.AccountKey, result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("sig=", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_names_each_accounts_credential_says_why_a_sign_in_fails_and_warns_of_unknown_keys()
    {
        File.WriteAllText(Path.Combine(Sandbox.AccountFolder, "azurite.yaml"),
            $"account_name: devstoreaccount1\ncontainer_name: {Sandbox.ContainerName}\nendpoint: https://127.0.0.1:9/devstoreaccount1\ncredential: azure_cli\nsas_tokn: '?sv=1&sig=TYPO'\n");
        var bin = Path.Combine(Sandbox.Root, "fake-az");
        Directory.CreateDirectory(bin);
        File.WriteAllText(Path.Combine(bin, "az"), "#!/bin/sh\necho \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1\n");
        File.SetUnixFileMode(Path.Combine(bin, "az"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var environment = Environment;
        environment["AZFUSE_AZCOPY_PATH"] = RepositoryTools.AzCopy;
        environment["PATH"] = bin + ":" + System.Environment.GetEnvironmentVariable("PATH");

        var result = await CliProcess.RunAsync(environment, Sandbox.Root, null, "doctor");

        Assert.Equal(1, result.ExitCode);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var warning = Assert.Single(lines, l => l.StartsWith("warn  ", StringComparison.Ordinal));
        Assert.Contains($"'sas_tokn' in {Path.Combine(Sandbox.AccountFolder, "azurite.yaml")}:5", warning);
        var signIn = Assert.Single(lines, l => l.Contains("sign-in azurite.yaml (Azure CLI sign-in (az login))", StringComparison.Ordinal));
        Assert.StartsWith("FAIL  ", signIn, StringComparison.Ordinal);
        Assert.Contains("Run 'az login'", signIn);
        Assert.DoesNotContain("TYPO", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    private static string[] Rows(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(r => string.Join(' ', r.Split(' ', StringSplitOptions.RemoveEmptyEntries)))];
}
