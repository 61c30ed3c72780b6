using System.Globalization;
using System.Text;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

/// <summary>
/// The stall watchdog of an azcopy job counts every kind of progress azcopy shows: files its scan
/// found, files done, failed or skipped, bytes, and (while it scans, printing nothing) the answers it
/// reads. A fake azcopy plays the slow scan, which the real one shows only on a slow link or a
/// loaded machine, and then hands over to the real azcopy; each run of the fake is counted, so a
/// job killed and retried cannot pass for one that was left alone.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzCopyStallTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    // Above the real azcopy's own quiet start (its first message comes ~2 s after it starts), which the fake hands over to.
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Job_whose_scan_finds_files_without_moving_a_byte_for_longer_than_the_stall_timeout_is_not_stopped()
    {
        await SeedAsync();
        var scanning = new StringBuilder();
        for (var i = 1; i <= 20; i++)
        {
            // 6 s of a scan that finds files and transfers none: what azcopy prints between its parts.
            scanning.Append(Print(Progress(found: i * 100))).Append("sleep 0.3\n");
        }

        var client = ClientWith(scanning.ToString() + HandOver());

        await client.PrepareAsync(["data/a.txt", "data/b.txt"]);

        AssertPrepared();
    }

    [Fact]
    public async Task Job_that_scans_in_silence_reading_answers_for_longer_than_the_stall_timeout_is_not_stopped()
    {
        await SeedAsync();
        var answers = Path.Combine(Sandbox.Root, "answers.txt");
        File.WriteAllText(answers, string.Concat(Enumerable.Repeat("HTTP/1.1 200 OK, Content-Length: 1, ETag: 0x8DC0000000000\n", 1000)));

        // 6 s of reading (the shell's read builtin reads in this very process) with nothing printed,
        // as azcopy scans its first 10,000 files.
        var client = ClientWith(
            $"end=$(( $(date +%s) + 6 ))\n" +
            $"while [ $(date +%s) -lt $end ]; do while IFS= read -r line; do :; done < '{answers}'; sleep 0.2; done\n" +
            HandOver());

        await client.PrepareAsync(["data/a.txt", "data/b.txt"]);

        AssertPrepared();
    }

    [Fact]
    public async Task Job_whose_progress_messages_stop_changing_is_stopped_as_stalled()
    {
        await SeedAsync();
        var frozen = Print(Progress(found: 2, ordered: true, completed: 1, bytes: 1));
        var client = ClientWith($"while true; do {frozen}sleep 0.3; done", attempts: 1);

        var ex = await Assert.ThrowsAsync<AzFuseTransferException>(() => client.PrepareAsync(["data/a.txt", "data/b.txt"]).WaitAsync(TimeSpan.FromMinutes(2)));

        Assert.Equal(2, ex.Failures.Count);
        Assert.All(ex.Failures, f => Assert.Contains("made no progress", f.Exception.Message, StringComparison.Ordinal));
        Assert.Equal(1, Runs());
        Assert.False(File.Exists(Sandbox.CachePathOf("a.txt")));
    }

    [Fact]
    public async Task Job_that_reads_but_reports_nothing_after_its_scan_completed_is_stopped_as_stalled()
    {
        await SeedAsync();
        var answers = Path.Combine(Sandbox.Root, "answers.txt");
        File.WriteAllText(answers, new string('x', 64 * 1024) + "\n");

        // Once every file is found, reading is no longer a sign of life: only counters and bytes are.
        var client = ClientWith(
            Print(Progress(found: 2, ordered: true)) +
            $"while true; do while IFS= read -r line; do :; done < '{answers}'; sleep 0.1; done",
            attempts: 1);

        var ex = await Assert.ThrowsAsync<AzFuseTransferException>(() => client.PrepareAsync(["data/a.txt", "data/b.txt"]).WaitAsync(TimeSpan.FromMinutes(2)));

        Assert.All(ex.Failures, f => Assert.Contains("made no progress", f.Exception.Message, StringComparison.Ordinal));
        Assert.Equal(1, Runs());
    }

    private Task SeedAsync() => Sandbox.UploadManyAsync([("a.txt", "content a"u8.ToArray()), ("b.txt", "content b"u8.ToArray())]);

    /// <summary>A client whose azcopy is a fake running <paramref name="body"/> (after counting the run), under the short stall timeout.</summary>
    private AzFuseClient ClientWith(string body, int attempts = 4)
    {
        var options = Sandbox.CreateOptions();
        options.TransferEngine = AzFuseTransferEngine.AzCopy; // two files: one azcopy job
        options.TransferStallTimeout = s_timeout;
        options.TransferAttempts = attempts;
        options.AzCopyPath = FakeAzCopy.Create(Path.Combine(Sandbox.Root, "fake"), $"echo run >> '{RunLog}'\n{body}");
        return new AzFuseClient(options);
    }

    private string RunLog => Path.Combine(Sandbox.Root, "fake-runs.log");

    private int Runs() => File.Exists(RunLog) ? File.ReadAllLines(RunLog).Length : 0;

    private void AssertPrepared()
    {
        Assert.Equal("content a", File.ReadAllText(Sandbox.CachePathOf("a.txt")));
        Assert.Equal("content b", File.ReadAllText(Sandbox.CachePathOf("b.txt")));
        Assert.Equal(1, Runs()); // never stopped and run again
    }

    private static string HandOver() => $"exec '{RepositoryTools.AzCopy}' \"$@\"\n";

    private static string Print(string line) => $"printf '%s\\n' '{line}'\n";

    /// <summary>A progress line as azcopy 10.32.2 prints it with <c>--output-type json</c> (its counters are strings).</summary>
    private static string Progress(int found, bool ordered = false, int completed = 0, long bytes = 0)
    {
        string N(long n) => n.ToString(CultureInfo.InvariantCulture);
        var content =
            $"{{\\\"ErrorMsg\\\":\\\"\\\",\\\"CompleteJobOrdered\\\":{(ordered ? "true" : "false")},\\\"JobStatus\\\":\\\"InProgress\\\"," +
            $"\\\"TotalTransfers\\\":\\\"{N(found)}\\\",\\\"TransfersCompleted\\\":\\\"{N(completed)}\\\",\\\"TransfersFailed\\\":\\\"0\\\",\\\"TransfersSkipped\\\":\\\"0\\\"," +
            $"\\\"BytesOverWire\\\":\\\"{N(bytes)}\\\",\\\"TotalBytesTransferred\\\":\\\"{N(bytes)}\\\",\\\"TotalBytesEnumerated\\\":\\\"{N(found)}\\\"}}";
        return $"{{\"TimeStamp\":\"2026-01-01T00:00:00Z\",\"MessageType\":\"Progress\",\"MessageContent\":\"{content}\",\"PromptDetails\":{{}}}}";
    }
}
