using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Observability;

/// <summary>
/// The "AzFuse" activities: one per Open miss, Prepare, upload, resume and commit, with their tags;
/// the Azure SDK's spans nest under them; no tag of any span holds a key or a SAS signature.
/// </summary>
[Collection(ObservabilityCollection.Name)]
public sealed partial class TracingTests(AzuriteFixture azurite) : SandboxTest(azurite), IDisposable
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source.Name == "AzFuse" || source.Name.StartsWith("Azure.", StringComparison.Ordinal),
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    [Fact]
    public async Task An_Open_miss_is_one_activity_with_path_bytes_route_and_outcome_and_the_SDK_spans_nest_under_it()
    {
        Sandbox.WriteFreshSas();
        await Sandbox.UploadAsync("t/a.bin", new byte[1234]);
        var client = Sandbox.CreateClient();
        Listen(); // after the seeding, whose own SDK spans are the test's, not the library's

        client.ReadAllBytes("data/t/a.bin");
        client.ReadAllBytes("data/t/a.bin"); // a hit: no activity

        var open = Assert.Single(Ours("azfuse.open"));
        Assert.Equal("data/t/a.bin", open.GetTagItem("azfuse.path"));
        Assert.Equal(1234L, open.GetTagItem("azfuse.bytes"));
        Assert.Equal("http", open.GetTagItem("azfuse.transfer.route"));
        Assert.Equal("downloaded", open.GetTagItem("azfuse.outcome"));
        Assert.Equal(ActivityStatusCode.Ok, open.Status);

        var sdk = _stopped.Where(a => a.Source.Name.StartsWith("Azure.", StringComparison.Ordinal)).ToList();
        Assert.Contains(sdk, a => a.Source.Name == "Azure.Core.Http");
        Assert.All(sdk, a => Assert.True(IsUnder(a, open), $"{a.Source.Name} {a.OperationName} is not under the Open's activity"));
        AssertNoSecret();
    }

    [Fact]
    public async Task Prepare_uploads_resume_and_commit_each_record_an_activity_with_counts_and_outcome()
    {
        Listen();
        for (var i = 0; i < 3; i++)
        {
            await Sandbox.UploadAsync($"p/{i}.bin", new byte[100]);
        }

        await KillWriterWithUploadsQueuedAsync(2, "data/resumed");
        var options = Sandbox.CreateOptions();
        var client = new AzFuseClient(options);

        client.Prepare(Enumerable.Range(0, 3).Select(i => $"data/p/{i}.bin"));
        client.WriteAllBytes("data/w/sync.bin", new byte[10]);
        using (client.AsyncUpload())
        {
            client.WriteAllBytes("data/w/queued.bin", new byte[20]);
        }

        client.ResumePendingUploads();
        using (var commit = client.BeginCommit("data/ckpt/step-1", new CommitOptions { Rank = 0, WorldSize = 1 }))
        {
            client.WriteAllBytes("data/ckpt/step-1/model.bin", new byte[30]);
            Assert.True(commit.Complete());
        }

        var prepare = Assert.Single(Ours("azfuse.prepare"));
        Assert.Equal(3, prepare.GetTagItem("azfuse.files"));
        Assert.Equal(300L, prepare.GetTagItem("azfuse.bytes"));
        Assert.Equal("ok", prepare.GetTagItem("azfuse.outcome"));

        var uploads = Ours("azfuse.upload").ToList();
        Assert.Contains(uploads, u => Equals(u.GetTagItem("azfuse.path"), "data/w/sync.bin") && Equals(u.GetTagItem("azfuse.bytes"), 10L) && Equals(u.GetTagItem("azfuse.outcome"), "ok"));
        Assert.Contains(uploads, u => u.GetTagItem("azfuse.path") is null && Equals(u.GetTagItem("azfuse.outcome"), "ok") && u.GetTagItem("azfuse.files") is int);
        Assert.All(uploads, u => Assert.Equal(ActivityStatusCode.Ok, u.Status));

        // The start-up resume may have uploaded the killed writer's files already; each resume is traced.
        Assert.Contains(Ours("azfuse.resume"), r => Equals(r.GetTagItem("azfuse.outcome"), "ok") && r.GetTagItem("azfuse.files") is int);
        var commitActivity = Assert.Single(Ours("azfuse.commit"));
        Assert.Equal("data/ckpt/step-1", commitActivity.GetTagItem("azfuse.path"));
        Assert.Equal(1, commitActivity.GetTagItem("azfuse.files"));
        Assert.Equal("committed", commitActivity.GetTagItem("azfuse.outcome"));
        AssertNoSecret();
    }

    public void Dispose() => _listener.Dispose();

    private void Listen()
    {
        _listener.ActivityStopped = _stopped.Enqueue;
        ActivitySource.AddActivityListener(_listener);
    }

    private IEnumerable<Activity> Ours(string name) => _stopped.Where(a => a.Source.Name == "AzFuse" && a.OperationName == name);

    private static bool IsUnder(Activity activity, Activity ancestor)
    {
        for (var parent = activity.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent == ancestor)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>No tag of any span (ours or the SDK's) holds the account key or a SAS signature; a URL's sig is redacted.</summary>
    private void AssertNoSecret()
    {
        var signatures = Directory.EnumerateFiles(Sandbox.AccountFolder)
            .SelectMany(f => Signature().Matches(File.ReadAllText(f)).Select(m => Uri.UnescapeDataString(m.Groups[1].Value)))
            .ToList();
        foreach (var activity in _stopped)
        {
            foreach (var (key, value) in activity.TagObjects)
            {
                var text = value?.ToString() ?? string.Empty;
                Assert.DoesNotContain(AzuriteServer.AccountKey, text, StringComparison.Ordinal);
                Assert.All(signatures, s => Assert.DoesNotContain(s, Uri.UnescapeDataString(text), StringComparison.Ordinal));
                Assert.False(Signature().Match(text) is { Success: true } m && m.Groups[1].Value != "REDACTED", $"{activity.OperationName} {key}: {text}");
            }
        }
    }

    [GeneratedRegex("sig=([^&'\"\\s]+)")]
    private static partial Regex Signature();
}
