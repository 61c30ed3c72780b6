using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

/// <summary>
/// With the default retry policy a job rides out a storage outage of tens of seconds: requests
/// are retried with backoff for <see cref="AzFuseOptions.RetryBudget"/>, not a few quick times.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class OutageTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    private const int Downloads = 300;
    private const int Uploads = 200;

    [Fact]
    public async Task A_30_second_outage_during_a_prepare_and_an_upload_scope_ends_with_every_byte_in_place()
    {
        await Sandbox.UploadManyAsync(Enumerable.Range(0, Downloads).Select(i => ($"in/{i}.bin", TestContent.For(i, 1000 + i))));
        var defaults = new AzFuseOptions();
        var options = Sandbox.CreateOptions();
        options.TransferAttempts = defaults.TransferAttempts;
        options.RetryDelay = defaults.RetryDelay;
        options.RetryBudget = defaults.RetryBudget;
        options.TransferEngine = AzFuseTransferEngine.Http;

        // One transfer at a time, so that the outage begins at a known point: right after the 50th file.
        options.HttpParallelism = 1;
        var logs = new CapturingLoggerFactory();
        var client = new AzFuseClient(options, logs);
        var outage = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopAfter50 = new InlineProgress(p =>
        {
            if (p.FilesDone == 50 && !outage.Task.IsCompleted)
            {
                Server.StopAsync().GetAwaiter().GetResult();
                outage.SetResult();
            }
        });

        var prepare = Task.Run(() => client.Prepare(Enumerable.Range(0, Downloads).Select(i => $"data/in/{i}.bin"), stopAfter50));
        await outage.Task.WaitAsync(TimeSpan.FromMinutes(2));
        var scope = client.AsyncUpload();
        for (var i = 0; i < Uploads; i++)
        {
            await client.WriteAllBytesAsync($"data/out/{i}.bin", TestContent.For(10_000 + i, 500 + i));
        }

        await Task.Delay(TimeSpan.FromSeconds(30));
        await Server.RestartAsync();

        await prepare.WaitAsync(TimeSpan.FromMinutes(3));
        await scope.CompleteAsync().WaitAsync(TimeSpan.FromMinutes(3));
        Assert.Contains(logs.Lines, l => l.Contains("[13]", StringComparison.Ordinal) && l.Contains("Cannot reach", StringComparison.Ordinal));
        for (var i = 0; i < Downloads; i++)
        {
            Assert.Equal(TestContent.For(i, 1000 + i), File.ReadAllBytes(Sandbox.CachePathOf($"in/{i}.bin")));
        }

        for (var i = 0; i < Uploads; i++)
        {
            Assert.Equal(TestContent.For(10_000 + i, 500 + i), await Sandbox.DownloadAsync($"out/{i}.bin"));
        }
    }

    [Fact]
    public async Task A_definite_failure_is_not_retried_however_long_the_budget()
    {
        await Sandbox.UploadAsync("a.txt", "a");
        Sandbox.WriteExpiredSas();
        var logs = new CapturingLoggerFactory();
        var options = Sandbox.CreateOptions();
        options.TransferAttempts = 20;
        options.RetryBudget = TimeSpan.FromHours(1);

        Assert.Throws<AzFuseException>(() => new AzFuseClient(options, logs).Open("data/a.txt", FileMode.Open));

        Assert.DoesNotContain(logs.Lines, l => l.Contains("[13]", StringComparison.Ordinal));
    }

    /// <summary>Reports on the reporting thread, at once (Progress&lt;T&gt; would post them elsewhere).</summary>
    private sealed class InlineProgress(Action<TransferProgress> report) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value) => report(value);
    }
}
