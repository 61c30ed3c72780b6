using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Cli;

/// <summary>azfuse upload (resumable by length and MD5) and azfuse resume, including after kill -9.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CliUploadTests(AzuriteFixture azurite) : CliTest(azurite)
{
    [Fact]
    public async Task Upload_puts_the_tree_and_a_second_run_skips_what_is_already_there_with_the_same_length_and_md5()
    {
        var source = MakeTree(20);

        var first = await AzFuseAsync("upload", source, "data/tree");
        Assert.Equal(0, first.ExitCode);
        Assert.StartsWith("upload: 20 files to upload (", first.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^upload: 20/20 files, [0-9.]+ KiB/[0-9.]+ KiB, .+/s in [0-9.]+ s$", first.Stdout); // the plain progress summary
        Assert.Contains("upload: done, 20 uploaded, 0 skipped\n", first.Stdout, StringComparison.Ordinal);
        await AssertUploadedAsync(source, "tree");
        Assert.Equal(0, Sandbox.CreateClient().GetCacheStats().Files); // no second copy of the tree in the cache

        // One file changes in content but not in length, one in length: only those two go again.
        var sameLength = Path.Combine(source, "d1", "1.bin");
        var bytes = File.ReadAllBytes(sameLength);
        bytes[0] ^= 0xff;
        File.WriteAllBytes(sameLength, bytes);
        File.AppendAllText(Path.Combine(source, "d2", "2.bin"), "more");

        var second = await AzFuseAsync("upload", source, "data/tree/");
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("upload: done, 2 uploaded, 18 skipped\n", second.Stdout, StringComparison.Ordinal);
        await AssertUploadedAsync(source, "tree");
    }

    [Fact]
    public async Task Upload_keeps_each_files_md5_in_its_state_folder_and_rehashes_a_file_whose_time_changed()
    {
        var source = MakeTree(6);
        Assert.Equal(0, (await AzFuseAsync("upload", source, "data/st")).ExitCode);

        var stateFile = Assert.Single(Directory.GetFiles(Path.Combine(StateHome, "azfuse", "upload"), "md5.jsonl", SearchOption.AllDirectories));
        var recorded = File.ReadAllLines(stateFile).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToDictionary(e => e.GetProperty("Path").GetString()!, e => e.GetProperty("Md5").GetString()!);
        Assert.Equal(6, recorded.Count);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            Assert.Equal(Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(File.ReadAllBytes(file))), recorded[Path.GetRelativePath(source, file)]);
        }

        // Same length, new content and a new time: the recorded MD5 no longer applies, so the file is hashed and sent again.
        var changed = Path.Combine(source, "d0", "0.bin");
        var bytes = File.ReadAllBytes(changed);
        bytes[^1] ^= 0x55;
        File.WriteAllBytes(changed, bytes);
        File.SetLastWriteTimeUtc(changed, DateTime.UtcNow.AddMinutes(1));

        var second = await AzFuseAsync("upload", source, "data/st", "--state-dir", Path.Combine(StateHome, "azfuse", "upload"));
        Assert.Contains("upload: done, 1 uploaded, 5 skipped\n", second.Stdout, StringComparison.Ordinal);
        await AssertUploadedAsync(source, "st");
    }

    [Fact]
    public async Task Upload_killed_midway_is_finished_by_resume_and_a_second_run_with_every_byte_checked()
    {
        var source = MakeTree(40);

        // The first azcopy run uploads; any later one hangs until killed: the kill lands after
        // some files are confirmed and before the rest are, whatever the machine's speed.
        var calls = Path.Combine(Sandbox.Root, "azcopy-calls");
        var hung = Path.Combine(Sandbox.Root, "azcopy-hung");
        var azcopy = Script("azcopy-once", $"echo run >> '{calls}'\nif [ \"$(wc -l < '{calls}')\" -gt 1 ]; then touch '{hung}'; exec sleep 600; fi\nexec '{RepositoryTools.AzCopy}' \"$@\"");
        var environment = Environment;
        environment["AZFUSE_AZCOPY_PATH"] = azcopy;
        environment["AZFUSE_TRANSFER_ENGINE"] = "azcopy";

        using (var run = CliProcess.Start(environment, Sandbox.Root, "upload", source, "data/tree", "--batch-size", "10"))
        {
            var output = run.StandardOutput.ReadToEndAsync();
            var errors = run.StandardError.ReadToEndAsync();
            var deadline = DateTime.UtcNow.AddMinutes(2); // a bound on a stuck run, not a timing assertion
            while (!File.Exists(hung) && !run.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            run.Kill(entireProcessTree: true);
            await run.WaitForExitAsync();
            Assert.True(File.Exists(hung), $"upload was not interrupted as planned (exit {run.ExitCode}): {await output} {await errors}");
        }

        var uploadedBeforeKill = await CountUploadedAsync();
        Assert.InRange(uploadedBeforeKill, 1, 39);

        // resume uploads what the killed run had written and not yet confirmed.
        var resume = await AzFuseAsync("resume");
        Assert.Equal(0, resume.ExitCode);
        Assert.Matches(@"^uploaded \d+ pending files?\n$", resume.Stdout);

        // The same command again skips everything confirmed and finishes the rest.
        var second = await AzFuseAsync("upload", source, "data/tree", "--batch-size", "10");
        Assert.Equal(0, second.ExitCode);
        var skipped = int.Parse(System.Text.RegularExpressions.Regex.Match(second.Stdout, @"(\d+) skipped").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(skipped, uploadedBeforeKill, 40);
        Assert.Contains($"upload: done, {40 - skipped} uploaded, {skipped} skipped", second.Stdout, StringComparison.Ordinal);
        await AssertUploadedAsync(source, "tree");
    }

    [Fact]
    public async Task Upload_shows_a_live_progress_bar_on_a_terminal()
    {
        var source = MakeTree(10);

        var result = await CliProcess.RunInTerminalAsync(Environment, Sandbox.Root, "upload", source, "data/tty");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("\u001b[", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("upload 10/10 files", result.Stdout, StringComparison.Ordinal);
        await AssertUploadedAsync(source, "tty");
    }

    [Fact]
    public async Task Upload_of_a_missing_local_folder_fails_with_one_line()
    {
        var result = await AzFuseAsync("upload", Path.Combine(Sandbox.Root, "nope"), "data/x");

        var line = AssertOneErrorLine(result, 1);
        Assert.Contains("nope", line, StringComparison.Ordinal);
    }

    /// <summary>count files of varied sizes (up to ~40 KB) in three sub-folders.</summary>
    private string MakeTree(int count)
    {
        var root = Path.Combine(Sandbox.Root, "tree-" + Guid.NewGuid().ToString("N")[..6]);
        var random = new Random(count);
        for (var i = 0; i < count; i++)
        {
            var file = Path.Combine(root, $"d{i % 3}", $"{i}.bin");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var bytes = new byte[random.Next(1, 40_000)];
            random.NextBytes(bytes);
            File.WriteAllBytes(file, bytes);
        }

        return root;
    }

    /// <summary>Every local file is a blob with exactly its bytes (fetched with plain HTTP GETs, not through AzFuse).</summary>
    private async Task AssertUploadedAsync(string source, string remoteFolder)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file).Replace('\\', '/');
            var blob = await Sandbox.DownloadAsync(remoteFolder + "/" + relative);
            Assert.True(blob is not null, $"{relative} was not uploaded");
            Assert.Equal(File.ReadAllBytes(file), blob);
        }
    }

    private async Task<int> CountUploadedAsync() => (await AzFuseAsync("ls", "-r", "data/tree")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
}
