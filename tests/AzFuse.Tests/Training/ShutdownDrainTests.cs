using System.Diagnostics;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Training;

/// <summary>
/// Uploads still queued when the process is told to stop are pushed within the deadline, or named
/// and kept recorded; the signal still ends the process, with the exit code it gives.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ShutdownDrainTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    private const int Files = 300;

    [Fact]
    public async Task On_SIGTERM_300_queued_uploads_all_reach_the_service_before_the_process_ends_with_SIGTERMs_exit_code()
    {
        var (environment, release) = HeldUploads();
        var expectedExit = await ExitCodeOfSignalledSleeperAsync(environment);
        using var helper = HelperProcess.Start(environment, Sandbox.Root, "queue", Files.ToString(System.Globalization.CultureInfo.InvariantCulture), "data/q", "60000");
        Assert.Equal("written", await helper.StandardOutput.ReadLineAsync());

        Signals.Send(helper.Id, Signals.Terminate);
        var stderr = new List<string>();
        await ReadUntilAsync(helper, stderr, "[101]"); // the drain has begun, with every upload held
        File.WriteAllText(release, string.Empty);
        var (exit, _, rest) = await HelperProcess.CompleteAsync(helper, TimeSpan.FromMinutes(3));

        Assert.Equal(expectedExit, exit);
        Assert.DoesNotContain("[102]", rest, StringComparison.Ordinal);
        for (var i = 0; i < Files; i++)
        {
            Assert.Equal($"content {i}", await Sandbox.DownloadTextAsync($"q/{i}.txt"));
        }
    }

    [Fact]
    public async Task With_a_deadline_too_short_the_process_still_ends_by_it_naming_each_file_which_stays_recorded()
    {
        var (environment, release) = HeldUploads();
        var expectedExit = await ExitCodeOfSignalledSleeperAsync(environment);
        using var helper = HelperProcess.Start(environment, Sandbox.Root, "queue", Files.ToString(System.Globalization.CultureInfo.InvariantCulture), "data/q", "2000");
        Assert.Equal("written", await helper.StandardOutput.ReadLineAsync());

        var watch = Stopwatch.StartNew();
        Signals.Send(helper.Id, Signals.Terminate);
        var (exit, _, stderr) = await HelperProcess.CompleteAsync(helper, TimeSpan.FromMinutes(2));
        var elapsed = watch.Elapsed;

        Assert.True(exit == expectedExit, $"exit {exit}: {stderr[Math.Max(0, stderr.Length - 3000)..]}");
        // The held uploads would keep it alive until the release below: any end well inside the
        // azcopy stall timeout (2 min) is the deadline's, and a loaded machine needs seconds past it to
        // log 300 lines, stop the azcopy runs and exit.
        Assert.True(elapsed < TimeSpan.FromSeconds(2 + 28), $"ended {elapsed} after SIGTERM, with a 2 s deadline");
        Assert.Equal(Files, stderr.Split('\n').Count(l => l.StartsWith("[102]", StringComparison.Ordinal)));
        Assert.DoesNotContain(Process.GetProcesses(), p => CommandLineOf(p).Contains(Sandbox.Root, StringComparison.Ordinal)); // the held azcopy runs were stopped

        // Still recorded: a process of the same machine uploads them.
        File.WriteAllText(release, string.Empty);
        Assert.Equal(Files, await Sandbox.CreateClient().ResumePendingUploadsAsync());
        Assert.Equal("content 299", await Sandbox.DownloadTextAsync("q/299.txt"));
    }

    /// <summary>The environment of a child whose uploads go through an azcopy held until <c>release</c> exists.</summary>
    private (Dictionary<string, string> Environment, string Release) HeldUploads()
    {
        var (options, release) = HoldAzCopy();
        var environment = new Dictionary<string, string>(Sandbox.EnvironmentVariables)
        {
            ["AZFUSE_AZCOPY_PATH"] = options.AzCopyPath!,
            ["AZFUSE_TRANSFER_ENGINE"] = "azcopy",
        };
        return (environment, release);
    }

    /// <summary>What SIGTERM makes of a .NET process that uploads nothing: the code the drain must keep.</summary>
    private async Task<int> ExitCodeOfSignalledSleeperAsync(Dictionary<string, string> environment)
    {
        using var sleeper = HelperProcess.Start(environment, Sandbox.Root, "sleep");
        Assert.Equal("sleeping", await sleeper.StandardOutput.ReadLineAsync());
        Signals.Send(sleeper.Id, Signals.Terminate);
        return (await HelperProcess.CompleteAsync(sleeper)).ExitCode;
    }

    private static async Task ReadUntilAsync(Process process, List<string> lines, string marker)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (await process.StandardError.ReadLineAsync(timeout.Token) is { } line)
        {
            lines.Add(line);
            if (line.StartsWith(marker, StringComparison.Ordinal))
            {
                return;
            }
        }

        Assert.Fail($"the helper ended without logging {marker}: {string.Join('\n', lines)}");
    }

    private static string CommandLineOf(Process process)
    {
        try
        {
            return File.ReadAllText($"/proc/{process.Id}/cmdline");
        }
        catch (IOException)
        {
            return string.Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
