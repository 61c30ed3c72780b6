using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace AzFuse.Cli.Progress;

/// <summary>
/// Shows a transfer's progress while it runs: a live Spectre.Console bar (files and bytes done,
/// rate, time left) when stdout is a terminal, and a plain line every few seconds when it is not
/// (a log file must not fill with redraws). Both end with one summary line.
/// </summary>
internal static class ProgressView
{
    private static readonly TimeSpan s_plainInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_liveInterval = TimeSpan.FromMilliseconds(100);

    /// <param name="console">Where to show it.</param>
    /// <param name="title">What the lines start with.</param>
    /// <param name="work">The transfer, given where to report.</param>
    /// <param name="showSummary">Whether the last report earns a summary line (an upload with nothing to upload says so otherwise); default: always.</param>
    public static async Task RunAsync(CliConsole console, string title, Func<IProgress<TransferProgress>, Task> work, Func<TransferProgress, bool>? showSummary = null)
    {
        var latest = new LatestProgress();
        var clock = Stopwatch.StartNew();
        try
        {
            if (console.IsTerminal)
            {
                await LiveAsync(console, title, latest, clock, work).ConfigureAwait(false);
            }
            else
            {
                await PlainAsync(console, title, latest, clock, work).ConfigureAwait(false);
            }
        }
        finally
        {
            if (latest.Latest is { } last && (showSummary?.Invoke(last) ?? true))
            {
                await console.Out.WriteLineAsync($"{title}: {Describe(last, clock.Elapsed)} in {Seconds(clock.Elapsed)}").ConfigureAwait(false);
            }
        }
    }

    private static Task LiveAsync(CliConsole console, string title, LatestProgress latest, Stopwatch clock, Func<IProgress<TransferProgress>, Task> work) =>
        console.Ansi.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(title, maxValue: 1);
                var run = work(latest);
                while (!run.IsCompleted)
                {
                    Update(task, title, latest.Latest, clock.Elapsed);
                    await Task.WhenAny(run, Task.Delay(s_liveInterval)).ConfigureAwait(false);
                }

                Update(task, title, latest.Latest, clock.Elapsed);
                await run.ConfigureAwait(false);
            });

    private static void Update(ProgressTask task, string title, TransferProgress? progress, TimeSpan elapsed)
    {
        if (progress is null)
        {
            return;
        }

        // The bar follows bytes when the total is known (a large file counts for its size), else files.
        task.MaxValue = Math.Max(1, progress.BytesTotal ?? progress.FilesTotal);
        task.Value = progress.BytesTotal is not null ? progress.BytesDone : progress.FilesDone + progress.FilesFailed;
        task.Description = Markup.Escape($"{title} {Describe(progress, elapsed)}");
    }

    private static async Task PlainAsync(CliConsole console, string title, LatestProgress latest, Stopwatch clock, Func<IProgress<TransferProgress>, Task> work)
    {
        var run = work(latest);
        var next = s_plainInterval;
        TransferProgress? shown = null;
        while (!run.IsCompleted)
        {
            await Task.WhenAny(run, Task.Delay(s_liveInterval)).ConfigureAwait(false);
            if (!run.IsCompleted && clock.Elapsed >= next && latest.Latest is { } progress && !ReferenceEquals(progress, shown))
            {
                shown = progress;
                next = clock.Elapsed + s_plainInterval;
                await console.Out.WriteLineAsync($"{title}: {Describe(progress, clock.Elapsed)}{TimeLeft(progress, clock.Elapsed)}").ConfigureAwait(false);
            }
        }

        await run.ConfigureAwait(false);
    }

    /// <summary>"120/300 files, 1.2 MiB/3.0 MiB, 2.4 MiB/s".</summary>
    private static string Describe(TransferProgress p, TimeSpan elapsed)
    {
        var bytes = Size(p.BytesDone) + (p.BytesTotal is { } total ? "/" + Size(total) : string.Empty);
        var rate = elapsed.TotalSeconds > 0 ? Size((long)(p.BytesDone / elapsed.TotalSeconds)) + "/s" : "-";
        var failed = p.FilesFailed > 0 ? string.Create(CultureInfo.InvariantCulture, $", {p.FilesFailed} failed") : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"{p.FilesDone}/{p.FilesTotal} files{failed}, {bytes}, {rate}");
    }

    private static string TimeLeft(TransferProgress p, TimeSpan elapsed)
    {
        double done = p.BytesTotal is not null ? p.BytesDone : p.FilesDone;
        double total = p.BytesTotal ?? p.FilesTotal;
        if (done <= 0 || total <= done)
        {
            return string.Empty;
        }

        var left = TimeSpan.FromSeconds(elapsed.TotalSeconds * (total - done) / done);
        return ", about " + Seconds(left) + " left";
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    private static string Size(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? bytes.ToString(CultureInfo.InvariantCulture) + " B"
            : value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
