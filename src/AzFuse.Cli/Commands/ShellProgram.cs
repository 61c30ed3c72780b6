using System.Diagnostics;

namespace AzFuse.Cli.Commands;

/// <summary>Runs a program the user chose by a variable ($EDITOR, $AZFUSE_VIEWER), as git runs $EDITOR.</summary>
internal static class ShellProgram
{
    /// <summary>
    /// Runs <paramref name="program"/> through the shell, so that a value with arguments
    /// ("code -w") works; the files are passed as separate arguments, never spliced into the command.
    /// </summary>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string program, IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(program + " \"$@\"");
        start.ArgumentList.Add("sh");
        foreach (var file in files)
        {
            start.ArgumentList.Add(file);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"'{program}' did not start.");
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return process.ExitCode;
    }

    /// <summary>Whether <paramref name="name"/> is a file in a folder of PATH.</summary>
    public static bool OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, name)));
}
