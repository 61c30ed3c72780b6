using System.Globalization;
using System.Text.RegularExpressions;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Training;

/// <summary>PrepareInBackground: a prefetch the first reads never wait for, reporting what failed.</summary>
[Collection(AzuriteCollection.Name)]
public sealed partial class PrefetchTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    private const int Files = 2000;

    [Fact]
    public async Task Opens_of_files_it_has_not_fetched_yet_return_without_waiting_for_the_batch_and_nothing_is_fetched_twice()
    {
        await Sandbox.UploadManyAsync(Enumerable.Range(0, Files).Select(i => ($"pre/{i}.bin", TestContent.For(i, 1024))));
        var options = Sandbox.CreateOptions();
        options.HttpParallelism = 2; // a prefetch that takes a while, as over a real link
        var client = new AzFuseClient(options);

        var prefetch = client.PrepareInBackground(Enumerable.Range(0, Files).Select(i => $"data/pre/{i}.bin"));
        var doneWhenOpened = new List<int>();
        for (var i = Files - 1; i >= Files - 10; i--)
        {
            Assert.Equal(TestContent.For(i, 1024), client.ReadAllBytes($"data/pre/{i}.bin"));
            doneWhenOpened.Add(prefetch.IsCompleted ? Files : prefetch.Progress.FilesDone);
        }

        await prefetch;

        Assert.All(doneWhenOpened, done => Assert.True(done < Files, "an Open waited for the whole prefetch"));
        // Progress counts the files that were not cached when the prefetch listed them: the first
        // Opens may have fetched theirs before it did.
        Assert.Equal(prefetch.Progress.FilesTotal, prefetch.Progress.FilesDone);
        Assert.InRange(prefetch.Progress.FilesTotal, Files - 10, Files);
        Assert.Empty(prefetch.Failures);
        var gets = (await Server.RequestsToAsync(Sandbox.ContainerName)).Select(r => GetOfBlob().Match(r)).Where(m => m.Success).GroupBy(m => m.Groups[1].Value).ToList();
        Assert.Equal(Files, gets.Count);
        Assert.All(gets, g => Assert.True(g.Count() == 1, $"pre/{g.Key}.bin was fetched {g.Count()} times"));
    }

    [Fact]
    public async Task Failures_are_reported_by_the_operation_and_a_later_open_of_the_file_tries_again()
    {
        await Sandbox.UploadAsync("here.txt", "here");
        var client = Sandbox.CreateClient();

        var prefetch = client.PrepareInBackground(["data/here.txt", "data/late.txt"]);
        var ex = await Assert.ThrowsAsync<AzFuseTransferException>(async () => await prefetch);

        Assert.Equal("data/late.txt", Assert.Single(prefetch.Failures).Path);
        Assert.Same(ex.Failures, prefetch.Failures);
        Assert.Equal("here", File.ReadAllText(Sandbox.CachePathOf("here.txt")));
        await Sandbox.UploadAsync("late.txt", "late");
        Assert.Equal("late", client.ReadAllText("data/late.txt"));
    }

    [Fact]
    public async Task Cancel_stops_it_and_keeps_what_arrived_whole()
    {
        await Sandbox.UploadManyAsync(Enumerable.Range(0, 300).Select(i => ($"c/{i}.bin", TestContent.For(i, 1024))));
        var options = Sandbox.CreateOptions();
        options.HttpParallelism = 1;

        var prefetch = new AzFuseClient(options).PrepareInBackground(Enumerable.Range(0, 300).Select(i => $"data/c/{i}.bin"));
        prefetch.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await prefetch);
        var cached = Directory.Exists(Sandbox.CachePathOf("c")) ? Directory.GetFiles(Sandbox.CachePathOf("c"), "*.bin") : [];
        Assert.True(cached.Length < 300);
        Assert.All(cached, f => Assert.Equal(TestContent.For(int.Parse(Path.GetFileNameWithoutExtension(f), CultureInfo.InvariantCulture), 1024), File.ReadAllBytes(f)));
        Assert.Empty(Directory.EnumerateFiles(Sandbox.CacheRoot, "*.azfuse-partial", SearchOption.AllDirectories));
        prefetch.Cancel(); // after completion: harmless
    }

    [GeneratedRegex(@"^GET /devstoreaccount1/[^/]+/azfuse_data/pre/(\d+)\.bin(\?|$)", RegexOptions.CultureInvariant)]
    private static partial Regex GetOfBlob();
}
