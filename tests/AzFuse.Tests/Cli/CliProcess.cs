using System.Diagnostics;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Cli;

/// <summary>How an azfuse run ended.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// Runs the real azfuse tool (src/AzFuse.Cli, built with the tests) as a separate process, with
/// only the environment the test gives it: as a user runs it, through pipes, or through a
/// pseudo-terminal (util-linux <c>script</c>) when the test needs stdout to be a terminal.
/// </summary>
public static class CliProcess
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);

    public static string ToolDll => Path.Combine(AppContext.BaseDirectory, "AzFuse.Cli.dll");

    /// <summary>Runs azfuse with stdout and stderr piped; <paramref name="stdin"/> is written and closed (an empty stdin is end-of-input).</summary>
    public static async Task<CliResult> RunAsync(IReadOnlyDictionary<string, string> environment, string workingDirectory, string? stdin, params string[] arguments)
    {
        using var process = Start(environment, workingDirectory, arguments);
        await process.StandardInput.WriteAsync(stdin ?? string.Empty);
        process.StandardInput.Close();
        return await CompleteAsync(process);
    }

    /// <summary>Runs azfuse with stdout (and stderr) on a pseudo-terminal, as in an interactive shell; the output is what the terminal received.</summary>
    public static async Task<CliResult> RunInTerminalAsync(IReadOnlyDictionary<string, string> environment, string workingDirectory, params string[] arguments)
    {
        var command = string.Join(' ', new[] { "dotnet", ToolDll }.Concat(arguments).Select(Quote));
        var env = new Dictionary<string, string>(environment) { ["TERM"] = "xterm-256color" };
        using var process = StartProgram("script", env, workingDirectory, ["-qefc", command, "/dev/null"]);
        process.StandardInput.Close();
        return await CompleteAsync(process);
    }

    /// <summary>Starts azfuse and leaves it running (stdin open, nothing read yet), for tests that kill it.</summary>
    public static Process Start(IReadOnlyDictionary<string, string> environment, string workingDirectory, params string[] arguments) =>
        StartProgram("dotnet", environment, workingDirectory, [ToolDll, .. arguments]);

    /// <summary>Waits (bounded) for azfuse and returns how it ended.</summary>
    public static async Task<CliResult> CompleteAsync(Process process)
    {
        var (exitCode, stdout, stderr) = await HelperProcess.CompleteAsync(process, s_timeout);
        return new CliResult(exitCode, stdout, stderr);
    }

    private static Process StartProgram(string program, IReadOnlyDictionary<string, string> environment, string workingDirectory, string[] arguments)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Only what the test sets: nothing of the machine's own AzFuse setup leaks in.
        foreach (var name in startInfo.Environment.Keys.Where(k => k.StartsWith("AZFUSE_", StringComparison.Ordinal) || k.StartsWith("QD_", StringComparison.Ordinal) || k == "EDITOR").ToList())
        {
            startInfo.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        return Process.Start(startInfo) ?? throw new InvalidOperationException($"{program} did not start.");
    }

    private static string Quote(string argument) => "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
