using AzFuse.Testing;

namespace AzFuse.Tests.Infrastructure;

/// <summary>
/// Base of the storage tests: each test gets its own sandbox (container, YAML files, cache) on
/// the collection's Azurite, with azcopy wrapped so the test can count its invocations.
/// </summary>
public abstract class SandboxTest(AzuriteFixture azurite) : IAsyncLifetime
{
    protected AzuriteServer Server => azurite.Server;

    protected AzFuseSandbox Sandbox { get; private set; } = null!;

    protected AzCopyCounter AzCopy { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Sandbox = await AzFuseSandbox.CreateAsync(azurite.Server);
        AzCopy = AzCopyCounter.Create(Path.Combine(Sandbox.Root, "counter"));
        Sandbox.AzCopyPath = AzCopy.ScriptPath;
    }

    /// <summary>
    /// Asserts that azcopy ran the routes <paramref name="expected"/> (its <c>--from-to</c> values), in
    /// order, each once, but for the runs the library retried: on a loaded machine a run can fail
    /// as it may in production (a transient failure), and its retry repeats the route. Each repeat
    /// must be matched by a retry logged (event 13) with azcopy's failure as its reason, so that a
    /// second transfer of the same thing without a failure before it still fails the test.
    /// </summary>
    /// <param name="expected">The routes, in order; no route twice in a row.</param>
    /// <param name="logs">The logs of the client (or clients) that ran azcopy.</param>
    protected void AssertAzCopyRuns(IReadOnlyList<string> expected, CapturingLoggerFactory logs)
    {
        var runs = AzCopy.Invocations;
        var retried = logs.Lines.Where(l => l.Contains("[13]", StringComparison.Ordinal) && l.Contains(": azcopy ", StringComparison.Ordinal)).ToList();
        var routes = runs.Where((route, i) => i == 0 || route != runs[i - 1]).ToList();
        Assert.True(
            routes.SequenceEqual(expected) && runs.Count == expected.Count + retried.Count,
            $"azcopy runs expected: [{string.Join(", ", expected)}] and one more per retry of a failed run; azcopy ran: {AzCopy.Who}; its retries: {(retried.Count == 0 ? "none" : string.Join(" | ", retried))}");
    }

    /// <summary>
    /// Options whose (real) azcopy waits until <c>release</c> exists before it starts: uploads stay
    /// pending for exactly as long as the test needs, whatever the machine's speed.
    /// </summary>
    protected (AzFuseOptions Options, string Release) HoldAzCopy()
    {
        var release = Path.Combine(Sandbox.Root, "release");
        var options = Sandbox.CreateOptions();
        options.TransferEngine = AzFuseTransferEngine.AzCopy;
        options.AzCopyPath = FakeAzCopy.Create(Path.Combine(Sandbox.Root, "held"), $"while [ ! -f '{release}' ]; do sleep 0.05; done\nexec '{RepositoryTools.AzCopy}' \"$@\"");
        return (options, release);
    }

    /// <summary>
    /// Runs a child that writes <paramref name="count"/> files FOLDER/i.txt ("content i") in an
    /// AsyncUpload scope and kills it (-9) once every stream is closed. The child's azcopy hangs
    /// (a fake: the real one cannot be made to hang on demand), so its uploads are still pending.
    /// </summary>
    protected async Task KillWriterWithUploadsQueuedAsync(int count, string folder, string? shmFolder = null)
    {
        var environment = new Dictionary<string, string>(Sandbox.EnvironmentVariables)
        {
            ["AZFUSE_AZCOPY_PATH"] = FakeAzCopy.Create(Path.Combine(Sandbox.Root, "hang"), "exec sleep 600"),

            // Every upload through the hanging azcopy: over HTTP they would simply succeed.
            ["AZFUSE_TRANSFER_ENGINE"] = "azcopy",
        };
        string[] arguments = shmFolder is null
            ? ["write-async", count.ToString(System.Globalization.CultureInfo.InvariantCulture), folder]
            : ["write-async", count.ToString(System.Globalization.CultureInfo.InvariantCulture), folder, shmFolder];

        using var child = HelperProcess.Start(environment, Sandbox.Root, arguments);
        Assert.Equal("written", await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1)));
        child.Kill(entireProcessTree: true);
        await child.WaitForExitAsync();
    }

    public Task DisposeAsync()
    {
        Sandbox.Dispose();
        return Task.CompletedTask;
    }
}
