using System.Diagnostics;
using System.Text.RegularExpressions;

namespace AzFuse.Benchmarks;

/// <summary>Runs a baseline tool (azcopy, curl) to completion: stdout and stderr read concurrently, a non-zero exit throws.</summary>
internal static partial class ChildProcess
{
    public static string Run(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null) =>
        Run(fileName, arguments, environment, stdinFrom: null, stdoutTo: null);

    /// <summary>
    /// Runs the tool with its stdin read from <paramref name="stdinFrom"/> and/or its stdout written to
    /// <paramref name="stdoutTo"/> (azcopy's pipe mode), streamed: a 1 GiB pipe is never held in memory.
    /// </summary>
    public static string Run(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, string? stdinFrom, string? stdoutTo)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdinFrom is not null,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"'{fileName}' did not start.");
        var stdout = stdoutTo is null ? process.StandardOutput.ReadToEndAsync() : CopyOutAsync(process, stdoutTo);
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdinFrom is not null)
        {
            using (var input = File.OpenRead(stdinFrom))
            {
                input.CopyTo(process.StandardInput.BaseStream, 1 << 20);
            }

            process.StandardInput.Close();
        }

        process.WaitForExit();
        Task.WaitAll(stdout, stderr);
        if (process.ExitCode != 0)
        {
            var said = (stderr.Result + "\n" + stdout.Result).Trim();
            throw new InvalidOperationException($"{Path.GetFileName(fileName)} exited with code {process.ExitCode}: {Redact(said[Math.Max(0, said.Length - 2000)..])}");
        }

        return stdout.Result;
    }

    private static async Task<string> CopyOutAsync(Process process, string file)
    {
        await using var output = File.Create(file);
        await process.StandardOutput.BaseStream.CopyToAsync(output, 1 << 20);
        return string.Empty;
    }

    private static string Redact(string text) => Signature().Replace(text, "sig=REDACTED");

    [GeneratedRegex("sig=[^&\\s\"']+")]
    private static partial Regex Signature();
}
