using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Cli;

/// <summary>Base of the CLI tests: a sandbox on the collection's Azurite, and azfuse run against it as a real process.</summary>
public abstract class CliTest(AzuriteFixture azurite) : SandboxTest(azurite)
{
    /// <summary>
    /// The environment that points azfuse at the sandbox (AZFUSE_USE_FUSE=1 and its YAML files),
    /// with its state folder (XDG_STATE_HOME) inside the sandbox rather than the user's home.
    /// </summary>
    protected Dictionary<string, string> Environment => new(Sandbox.EnvironmentVariables) { ["XDG_STATE_HOME"] = StateHome };

    /// <summary>Where azfuse upload keeps its state in these tests.</summary>
    protected string StateHome => Path.Combine(Sandbox.Root, "state");

    protected Task<CliResult> AzFuseAsync(params string[] arguments) => CliProcess.RunAsync(Environment, Sandbox.Root, stdin: null, arguments);

    protected Task<CliResult> AzFuseWithInputAsync(string stdin, params string[] arguments) => CliProcess.RunAsync(Environment, Sandbox.Root, stdin, arguments);

    /// <summary>Writes an executable shell script under the sandbox and returns its path.</summary>
    protected string Script(string name, string body)
    {
        var path = Path.Combine(Sandbox.Root, $"{name}-{Guid.NewGuid():N}.sh");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>Asserts the run failed with <paramref name="exitCode"/> and said so in exactly one stderr line.</summary>
    protected static string AssertOneErrorLine(CliResult result, int exitCode)
    {
        Assert.Equal(exitCode, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("azfuse: ", line, StringComparison.Ordinal);
        return line;
    }
}
