using System.Diagnostics;

namespace AzFuse.Testing;

/// <summary>What one azcopy run did.</summary>
public sealed record AzCopyResult(int ExitCode, byte[] Stdout, string Stderr, TimeSpan Elapsed);

/// <summary>
/// Runs the real azcopy from node_modules for tests that check azcopy itself (not the library's
/// runner): arguments as a list, stdout (bytes, for pipe mode) and stderr read concurrently, job
/// plans and logs in a private folder, and a hard time limit. At the limit it is killed with
/// SIGKILL (<see cref="Process.Kill(bool)"/>): azcopy that cannot complete a TLS handshake retries
/// for many minutes and ignores SIGTERM.
/// </summary>
public static class AzCopyProcess
{
    /// <summary>
    /// Runs azcopy with <paramref name="arguments"/> plus <c>--skip-version-check</c> if they lack it (the check
    /// would go to the internet) and <paramref name="environment"/> added to this process's
    /// environment. Throws <see cref="TimeoutException"/> (after killing it) if it is still
    /// running after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<AzCopyResult> RunAsync(
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string> environment,
        string workFolder,
        TimeSpan timeout,
        byte[]? stdin = null)
    {
        var startInfo = new ProcessStartInfo(RepositoryTools.AzCopy)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var list = arguments.ToList();
        foreach (var argument in list.Contains("--skip-version-check") ? list : list.Append("--skip-version-check"))
        {
            startInfo.ArgumentList.Add(argument);
        }

        var state = Directory.CreateDirectory(Path.Combine(workFolder, ".azcopy")).FullName;
        startInfo.Environment["AZCOPY_JOB_PLAN_LOCATION"] = state;
        startInfo.Environment["AZCOPY_LOG_LOCATION"] = state;
        startInfo.Environment["AZCOPY_DISABLE_SYSLOG"] = "true";
        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("azcopy did not start.");
        var stdout = new MemoryStream();
        var stdoutCopy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin);
        }

        process.StandardInput.Close();

        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"azcopy was still running after {timeout.TotalSeconds:0.#} s and was killed. stderr: {await stderr}");
        }

        await stdoutCopy;
        return new AzCopyResult(process.ExitCode, stdout.ToArray(), await stderr, watch.Elapsed);
    }
}
