using System.Diagnostics;
using System.Text.RegularExpressions;

namespace AzFuse.Benchmarks;

/// <summary>Runs a baseline tool (azcopy, curl) to completion: stdout and stderr read concurrently, a non-zero exit throws.</summary>
internal static partial class ChildProcess
{
    public static string Run(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
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
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Task.WaitAll(stdout, stderr);
        if (process.ExitCode != 0)
        {
            var said = (stderr.Result + "\n" + stdout.Result).Trim();
            throw new InvalidOperationException($"{Path.GetFileName(fileName)} exited with code {process.ExitCode}: {Redact(said[Math.Max(0, said.Length - 2000)..])}");
        }

        return stdout.Result;
    }

    private static string Redact(string text) => Signature().Replace(text, "sig=REDACTED");

    [GeneratedRegex("sig=[^&\\s\"']+")]
    private static partial Regex Signature();
}
