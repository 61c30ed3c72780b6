using System.Diagnostics;
using System.Globalization;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Training;

/// <summary>
/// Checkpoints that land whole: a folder written by one or many ranks is committed by a manifest
/// written last, once every rank's part is in, and only a folder whose manifest exists and matches
/// its files is ever returned as the latest.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CheckpointTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    private const string Manifest = ".azfuse-commit.json";

    [Fact]
    public async Task Four_ranks_each_writing_a_quarter_commit_the_folder_once_after_every_part_is_in()
    {
        var client = Sandbox.CreateClient();
        var ranks = StartRanks("data/ckpt/step-2", worldSize: 4, filesEach: 5);
        await WaitForAsync(ranks, "written");

        // Ranks 0 to 2 commit their parts one after the other: the folder is not committed yet.
        for (var rank = 0; rank < 3; rank++)
        {
            var result = await CompleteAsync(ranks[rank]);
            Assert.True(result.ExitCode == 0, result.Stderr);
            Assert.Equal("part", result.Stdout.Trim());
            Assert.Null(await Sandbox.GetPropertiesAsync("ckpt/step-2/" + Manifest));
            Assert.Null(client.GetLatestCommit("data/ckpt"));
        }

        var last = await CompleteAsync(ranks[3]);
        Assert.True(last.ExitCode == 0, last.Stderr);
        Assert.Equal("committed", last.Stdout.Trim());

        var committed = client.GetLatestCommit("data/ckpt");
        Assert.NotNull(committed);
        Assert.Equal("data/ckpt/step-2", committed.Folder);
        Assert.Equal(4, committed.WorldSize);
        Assert.Equal(ExpectedFiles("data/ckpt/step-2", ranks: 4, filesEach: 5), committed.Files.Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(0, 4).SelectMany(r => Enumerable.Range(0, 5).Select(i => (long)TestContent.ForFile((r * 1000) + i).Length)).Sum(), committed.Bytes);

        // The manifest was written once, after the four parts.
        var puts = (await Server.RequestsToAsync(Sandbox.ContainerName)).Where(r => r.StartsWith("PUT ", StringComparison.Ordinal)).ToList();
        var manifestPut = Assert.Single(puts, r => r.Contains("/step-2/" + Manifest, StringComparison.Ordinal));
        Assert.All(puts.Where(r => r.Contains("/step-2/.azfuse-commit/part-", StringComparison.Ordinal)), p => Assert.True(puts.IndexOf(p) < puts.IndexOf(manifestPut)));
        Assert.Equal(4, puts.Count(r => r.Contains("/step-2/.azfuse-commit/part-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Four_ranks_completing_at_once_create_the_manifest_once()
    {
        var ranks = StartRanks("data/ckpt/step-3", worldSize: 4, filesEach: 3);
        await WaitForAsync(ranks, "written");

        var results = await Task.WhenAll(ranks.Select(CompleteAsync));

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.Stderr));
        Assert.Contains(results, r => r.Stdout.Trim() == "committed");
        var created = (await Server.RequestsToAsync(Sandbox.ContainerName, withStatus: true))
            .Where(r => r.StartsWith("PUT ", StringComparison.Ordinal) && r.Contains("/step-3/" + Manifest, StringComparison.Ordinal) && r.EndsWith(" 201", StringComparison.Ordinal));
        Assert.Single(created);
        Assert.Equal("data/ckpt/step-3", Sandbox.CreateClient().GetLatestCommit("data/ckpt")?.Folder);
    }

    [Fact]
    public async Task A_rank_killed_before_committing_leaves_no_manifest_and_the_previous_checkpoint_stays_the_latest()
    {
        var client = Sandbox.CreateClient();
        CommitInProcess(client, "data/ckpt/step-1", files: 3);

        var ranks = StartRanks("data/ckpt/step-2", worldSize: 4, filesEach: 3);
        await WaitForAsync(ranks, "written");
        ranks[2].Kill(); // SIGKILL: its files are written, its part never is
        await ranks[2].WaitForExitAsync();
        var others = await Task.WhenAll(new[] { 0, 1, 3 }.Select(r => CompleteAsync(ranks[r])));

        Assert.All(others, r => Assert.Equal("part", r.Stdout.Trim()));
        Assert.Null(await Sandbox.GetPropertiesAsync("ckpt/step-2/" + Manifest));
        Assert.Equal("data/ckpt/step-1", client.GetLatestCommit("data/ckpt")?.Folder);
        Assert.Equal("data/ckpt/step-1", (await client.GetLatestCommitAsync("data/ckpt"))?.Folder);
    }

    [Fact]
    public async Task KeepLast_deletes_older_committed_folders_with_their_cached_copies_and_leaves_uncommitted_ones()
    {
        var client = Sandbox.CreateClient();
        client.WriteAllText("data/ckpt/step-0/half.bin", "a writer died before committing this folder");
        for (var step = 1; step <= 4; step++)
        {
            CommitInProcess(client, $"data/ckpt/step-{step}", files: 2, keepLast: 2);
        }

        Assert.Empty(client.List("data/ckpt/step-1", recursive: true));
        Assert.Empty(client.List("data/ckpt/step-2", recursive: true));
        Assert.False(File.Exists(Sandbox.CachePathOf("ckpt/step-1/0.bin")));
        Assert.Equal(["data/ckpt/step-0/half.bin"], client.List("data/ckpt/step-0", recursive: true));
        Assert.Equal([Manifest, "0.bin", "1.bin"], client.List("data/ckpt/step-3").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal([Manifest, "0.bin", "1.bin"], client.List("data/ckpt/step-4").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("data/ckpt/step-4", client.GetLatestCommit("data/ckpt")?.Folder);
        Assert.NotNull(await Sandbox.GetPropertiesAsync("ckpt/step-3/" + Manifest));
    }

    [Fact]
    public async Task A_committed_folder_whose_file_was_written_again_is_not_returned()
    {
        var logs = new CapturingLoggerFactory();
        var client = Sandbox.CreateClient(logs);
        CommitInProcess(client, "data/ckpt/step-1", files: 2);
        CommitInProcess(client, "data/ckpt/step-2", files: 2);
        await Sandbox.UploadAsync("ckpt/step-2/1.bin", "rewritten by someone else, after the commit");

        Assert.Equal("data/ckpt/step-1", client.GetLatestCommit("data/ckpt")?.Folder);
        Assert.Contains(logs.Lines, l => l.Contains("[107] data/ckpt/step-2 is not taken as committed: '1.bin'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Parts_of_an_earlier_attempt_are_never_combined_with_this_one()
    {
        var client = Sandbox.CreateClient();

        // Attempt a: rank 0 commits its part, rank 1 dies before committing its own.
        using (var rank0 = client.BeginCommit("data/ckpt/step-5", new CommitOptions { Rank = 0, WorldSize = 2, AttemptId = "a" }))
        {
            client.WriteAllText("data/ckpt/step-5/rank0.bin", "attempt a");
            Assert.False(rank0.Complete());
        }

        // Attempt b: rank 1 is first; the part of attempt a does not complete the set.
        using (var rank1 = client.BeginCommit("data/ckpt/step-5", new CommitOptions { Rank = 1, WorldSize = 2, AttemptId = "b" }))
        {
            client.WriteAllText("data/ckpt/step-5/rank1.bin", "attempt b");
            Assert.False(await rank1.CompleteAsync());
        }

        Assert.Null(await Sandbox.GetPropertiesAsync("ckpt/step-5/" + Manifest));
        using (var rank0 = client.BeginCommit("data/ckpt/step-5", new CommitOptions { Rank = 0, WorldSize = 2, AttemptId = "b" }))
        {
            client.WriteAllText("data/ckpt/step-5/rank0.bin", "attempt b");
            Assert.True(rank0.Complete());
        }

        var committed = client.GetLatestCommit("data/ckpt");
        Assert.Equal(["data/ckpt/step-5/rank0.bin", "data/ckpt/step-5/rank1.bin"], committed?.Files.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_scope_disposed_without_Complete_uploads_its_files_and_commits_nothing()
    {
        var client = Sandbox.CreateClient();
        void Train()
        {
            using var commit = client.BeginCommit("data/ckpt/step-7", new CommitOptions { Rank = 0, WorldSize = 1 });
            client.WriteAllText("data/ckpt/step-7/model.bin", "weights");
            throw new InvalidOperationException("the training step failed");
        }

        var thrown = Assert.Throws<InvalidOperationException>(Train);

        Assert.Equal("the training step failed", thrown.Message);
        Assert.Equal("weights", await Sandbox.DownloadTextAsync("ckpt/step-7/model.bin"));
        Assert.Null(await Sandbox.GetPropertiesAsync("ckpt/step-7/" + Manifest));
        Assert.Null(client.GetLatestCommit("data/ckpt"));
    }

    [Fact]
    public void A_single_process_commit_is_read_back_through_the_cache()
    {
        var client = Sandbox.CreateClient();
        using (var commit = client.BeginCommit("data/ckpt/step-9", new CommitOptions { Rank = 0, WorldSize = 1, ShmAsTmp = true }))
        {
            Assert.Equal((0, 1), (commit.Rank, commit.WorldSize));
            client.WriteAllBytes("data/ckpt/step-9/model.bin", TestContent.For(1, 3_000_000));
            client.WriteAllText("data/ckpt/step-9/optimizer/state.json", "{}");
            Assert.True(commit.Complete());
            Assert.True(commit.Complete()); // the first call's result
        }

        var committed = Sandbox.CreateClient().GetLatestCommit("data/ckpt");
        Assert.NotNull(committed);
        Assert.Equal(["data/ckpt/step-9/model.bin", "data/ckpt/step-9/optimizer/state.json"], committed.Files);
        Assert.Equal(TestContent.For(1, 3_000_000), Sandbox.CreateClient().ReadAllBytes(committed.Files[0]));
    }

    [Fact]
    public void Bad_commit_requests_are_refused_at_once_naming_what_to_fix()
    {
        var client = Sandbox.CreateClient();

        var outside = Assert.Throws<ArgumentException>(() => client.BeginCommit("elsewhere/ckpt/step-1"));
        Assert.Contains("outside every mapping", outside.Message, StringComparison.Ordinal);
        var rank = Assert.Throws<ArgumentOutOfRangeException>(() => client.BeginCommit("data/ckpt/step-1", new CommitOptions { Rank = 4, WorldSize = 4 }));
        Assert.Contains("not below WorldSize 4", rank.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CommitOptions { WorldSize = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new CommitOptions { KeepLast = 0 });
        var noParent = Assert.Throws<ArgumentException>(() => client.BeginCommit("data", new CommitOptions { KeepLast = 3 }));
        Assert.Contains("parent folder", noParent.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => client.GetLatestCommit("elsewhere/ckpt"));
    }

    private static void CommitInProcess(AzFuseClient client, string folder, int files, int? keepLast = null)
    {
        using var commit = client.BeginCommit(folder, new CommitOptions { Rank = 0, WorldSize = 1, KeepLast = keepLast });
        for (var i = 0; i < files; i++)
        {
            client.WriteAllBytes($"{folder}/{i}.bin", TestContent.ForFile(i));
        }

        Assert.True(commit.Complete());
    }

    private static IEnumerable<string> ExpectedFiles(string folder, int ranks, int filesEach) =>
        Enumerable.Range(0, ranks).SelectMany(r => Enumerable.Range(0, filesEach).Select(i => $"{folder}/rank{r}-{i}.bin")).Order(StringComparer.Ordinal);

    private List<Process> StartRanks(string folder, int worldSize, int filesEach) =>
        Enumerable.Range(0, worldSize)
            .Select(r => HelperProcess.Start(
                Sandbox.EnvironmentVariables,
                Sandbox.Root,
                "checkpoint",
                folder,
                r.ToString(CultureInfo.InvariantCulture),
                worldSize.ToString(CultureInfo.InvariantCulture),
                filesEach.ToString(CultureInfo.InvariantCulture)))
            .ToList();

    private static async Task WaitForAsync(IEnumerable<Process> ranks, string line)
    {
        foreach (var rank in ranks)
        {
            Assert.Equal(line, await rank.StandardOutput.ReadLineAsync());
        }
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> CompleteAsync(Process rank)
    {
        rank.StandardInput.WriteLine("complete");
        rank.StandardInput.Flush();
        return HelperProcess.CompleteAsync(rank);
    }
}
