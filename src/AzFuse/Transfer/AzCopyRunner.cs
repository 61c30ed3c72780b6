using System.ComponentModel;
using System.Diagnostics;
using AzFuse.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AzFuse.Transfer;

/// <summary>
/// Runs azcopy the way CliWrap runs a process: arguments passed one by one (never a joined
/// string), stdout and stderr read concurrently so neither pipe fills up, cancellation kills
/// the process tree, and the caller decides what a non-zero exit means.
/// </summary>
internal sealed class AzCopyRunner
{
    private const int StderrTailChars = 4096;

    private readonly AzCopyLocator _locator;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly ILogger _logger;

    // environment: variables added to azcopy's own (a private certificate authority's SSL_CERT_FILE, say).
    public AzCopyRunner(AzCopyLocator locator, IDictionary<string, string> environment, ILogger logger)
    {
        _locator = locator;
        _environment = new Dictionary<string, string>(environment, StringComparer.Ordinal);
        _logger = logger;
    }

    /// <summary>
    /// Runs azcopy with <paramref name="arguments"/>, its job plans and logs in
    /// <paramref name="scratchFolder"/> (never the user's home), handing stdout to
    /// <paramref name="consumeStdout"/>.
    /// </summary>
    /// <remarks>
    /// <paramref name="displayArguments"/> is what may be logged (no SAS). With
    /// <paramref name="writeStdin"/>, azcopy's stdin is fed by it (pipe uploads) while stdout is
    /// drained on the side. With <paramref name="stall"/>, a run that reports no progress for the
    /// watch's timeout is killed: azcopy retries an unreachable service for many minutes, and a
    /// write must fail in bounded time rather than hang its caller. The watch also sees how much the
    /// process reads, which is how a job's silent scan shows (see <see cref="StallWatch"/>).
    /// </remarks>
    public async ValueTask<AzCopyExit> RunAsync(
        IReadOnlyList<string> arguments,
        string displayArguments,
        string scratchFolder,
        Func<Stream, bool, CancellationToken, ValueTask> consumeStdout,
        bool async,
        CancellationToken cancellationToken,
        Func<Stream, bool, CancellationToken, ValueTask>? writeStdin = null,
        StallWatch? stall = null)
    {
        var executable = _locator.Locate();
        var startInfo = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = writeStdin is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["AZCOPY_JOB_PLAN_LOCATION"] = scratchFolder;
        startInfo.Environment["AZCOPY_LOG_LOCATION"] = scratchFolder;
        startInfo.Environment["AZCOPY_DISABLE_SYSLOG"] = "true";
        foreach (var (name, value) in _environment)
        {
            startInfo.Environment[name] = value;
        }

        using var process = new Process { StartInfo = startInfo };
        var stopwatch = Stopwatch.StartNew();
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw Errors.AzCopyCannotStart(executable, ex);
        }

        Log.AzCopyStarted(_logger, process.Id, displayArguments);
        var stderrTask = ReadTailAsync(process.StandardError);
        stall?.Start();

        using (cancellationToken.Register(() => Kill(process)))
        using (stall?.Watch(() => Kill(process), () => ProcessReads.Of(process.Id)))
        {
            try
            {
                if (writeStdin is not null)
                {
                    // The consumer runs beside the writer so that neither pipe can fill and block the other.
                    var consumer = Task.Run(async () => await consumeStdout(process.StandardOutput.BaseStream, true, cancellationToken).ConfigureAwait(false), CancellationToken.None);
                    var stdin = process.StandardInput.BaseStream;
                    try
                    {
                        await writeStdin(stdin, async, cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        // End of input is how azcopy learns the upload is complete.
                        stdin.Dispose();
                    }

                    if (async)
                    {
                        await consumer.ConfigureAwait(false);
                    }
                    else
                    {
                        consumer.GetAwaiter().GetResult();
                    }
                }
                else
                {
                    await consumeStdout(process.StandardOutput.BaseStream, async, cancellationToken).ConfigureAwait(false);
                }

                if (async)
                {
                    await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                }
                else
                {
                    process.WaitForExit();
                }
            }
            catch (IOException ex) when (stall is { HasStalled: true })
            {
                // The watchdog killed azcopy under our feet (a broken pipe): report the stall.
                throw Errors.AzCopyStalled(stall.Timeout, ex);
            }
            catch
            {
                // Whatever went wrong on our side (cancellation, a full disk while writing the
                // output), azcopy must not live on without a reader.
                Kill(process);
                throw;
            }
        }

        // stderr is drained by its own task; in the synchronous path this waits for that reader,
        // which has already seen end-of-file because the process has exited.
        var stderr = async ? await stderrTask.ConfigureAwait(false) : stderrTask.GetAwaiter().GetResult();
        cancellationToken.ThrowIfCancellationRequested();
        if (stall is { HasStalled: true })
        {
            throw Errors.AzCopyStalled(stall.Timeout, inner: null);
        }

        Log.AzCopyExited(_logger, process.Id, process.ExitCode, stopwatch.ElapsedMilliseconds);
        return new AzCopyExit(process.ExitCode, Redaction.Redact(stderr));
    }

    private static async Task<string> ReadTailAsync(StreamReader reader)
    {
        var tail = new System.Text.StringBuilder();
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory(), CancellationToken.None).ConfigureAwait(false)) > 0)
        {
            tail.Append(buffer, 0, read);
            if (tail.Length > StderrTailChars * 2)
            {
                tail.Remove(0, tail.Length - StderrTailChars);
            }
        }

        return tail.Length > StderrTailChars ? tail.ToString(tail.Length - StderrTailChars, StderrTailChars) : tail.ToString();
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (Win32Exception)
        {
            // Exiting as we asked; nothing left to kill.
        }
    }
}

/// <summary>How an azcopy run ended: its exit code and the end of its stderr (secrets removed).</summary>
internal sealed record AzCopyExit(int ExitCode, string StandardErrorTail);
