using System.Text;
using System.Text.RegularExpressions;
using AzFuse.Diagnostics;

namespace AzFuse.Transfer;

/// <summary>
/// Reads an azcopy job's <c>--output-type json</c> stdout: the final summary, the error lines,
/// the blobs it skipped and why, and progress for a <see cref="StallWatch"/> and for the caller's progress report.
/// </summary>
internal sealed partial class AzCopyJobOutput
{
    private readonly StallWatch? _stall;
    private readonly Action<AzCopyJobSummary>? _onProgress;
    private AzCopyProgressMark? _lastMark;

    public AzCopyJobOutput(StallWatch? stall = null, Action<AzCopyJobSummary>? onProgress = null)
    {
        _stall = stall;
        _onProgress = onProgress;
    }

    public AzCopyJobSummary? Summary { get; private set; }

    public List<string> Errors { get; } = [];

    /// <summary>Blob name to reason, for blobs the job skipped.</summary>
    public Dictionary<string, string> Skipped { get; } = new(StringComparer.Ordinal);

    // azcopy reports a blob it cannot find or read while scanning the list as an Info message
    // and then succeeds with exit code 0, so the caller must check every file itself.
    [GeneratedRegex(@"^INFO: Skipping (?<name>.+?) as it cannot be scanned due to error: (?<reason>.*)$", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex SkippedPattern();

    /// <summary>Consumes stdout to its end (the runner's stdout callback).</summary>
    public async ValueTask ReadAsync(Stream stdout, bool async, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stdout, Encoding.UTF8);
        string? line;
        while ((line = async ? await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) : reader.ReadLine()) is not null)
        {
            var message = AzCopyMessage.Parse(line);
            switch (message?.Type)
            {
                case "EndOfJob":
                    Summary = AzCopyJobSummary.Parse(message.Content);
                    break;
                case "Progress" when _stall is not null || _onProgress is not null:
                    // azcopy prints one every 2 seconds whether or not anything moved: progress is
                    // any counter changing (files found by the scan, done, failed or skipped, bytes).
                    var progress = AzCopyJobSummary.Parse(message.Content);
                    if (progress.ProgressMark != _lastMark)
                    {
                        _lastMark = progress.ProgressMark;
                        _stall?.Touch();
                        _onProgress?.Invoke(progress);
                    }

                    if (progress.ProgressMark.CompleteJobOrdered)
                    {
                        _stall?.ScanCompleted();
                    }

                    break;
                case "Error":
                    Errors.Add(Redaction.Redact(message.Content));
                    break;
                case "Info" when SkippedPattern().Match(message.Content) is { Success: true } match:
                    Skipped[match.Groups["name"].Value] = FirstLine(Redaction.Redact(match.Groups["reason"].Value));
                    _stall?.Touch(); // the scan has moved on past one more file
                    break;
            }
        }
    }

    private static string FirstLine(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("RESPONSE", StringComparison.Ordinal) || line.StartsWith("ERROR CODE", StringComparison.Ordinal))
            {
                return line.Trim();
            }
        }

        return text.Split('\n')[0].Trim();
    }
}
