using System.Globalization;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Cli;

/// <summary><c>azfuse stats</c> shows other processes' live counters; <c>--usage</c> prints what a command asked of the service.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CliStatsTests(AzuriteFixture azurite) : CliTest(azurite)
{
    [Fact]
    public async Task Stats_shows_the_live_counters_of_another_process()
    {
        await Sandbox.UploadAsync("s.txt", "stats");
        var client = Sandbox.CreateClient();
        client.ReadAllText("data/s.txt");
        client.ReadAllText("data/s.txt");

        var own = Assert.Single(client.GetLiveStats(), s => s.ProcessId == System.Environment.ProcessId);
        Assert.Equal(1, own.Hits);
        Assert.Equal(1, own.Misses);
        Assert.Equal(1, own.Usage.ReadRequests);

        var result = await AzFuseAsync("stats");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var row = Assert.Single(result.Stdout.Split('\n'), l => l.TrimStart().StartsWith(System.Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + " ", StringComparison.Ordinal));
        Assert.Equal(["1", "1", "0"], row.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2..5]); // hits, misses, evicted
    }

    [Fact]
    public async Task Stats_with_no_program_running_says_so()
    {
        var result = await AzFuseAsync("stats");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("no AzFuse program is running", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Usage_after_a_command_prints_its_requests_and_bytes_on_stderr()
    {
        await Sandbox.UploadAsync("u.txt", "usage");

        var result = await AzFuseAsync("cat", "--usage", "data/u.txt");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("usage", result.Stdout);
        Assert.Contains("usage: 1 request(s): 1 read, 0 write, 0 list, 0 other; 5 bytes downloaded, 0 bytes uploaded", result.Stderr, StringComparison.Ordinal);
    }
}
