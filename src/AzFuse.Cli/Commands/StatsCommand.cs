using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace AzFuse.Cli.Commands;

/// <summary>
/// <c>stats [--watch]</c>: the live counters of the AzFuse clients in this user's running
/// processes, read from the files each publishes (AzFuseOptions.StatsFolder; see the README's
/// Observability section for why files and not EventPipe).
/// </summary>
internal static class StatsCommand
{
    private static readonly TimeSpan s_refresh = TimeSpan.FromSeconds(2);

    public static Command Create(CommandSetup app)
    {
        var watch = new Option<bool>("--watch", "-w") { Description = "Refresh every 2 seconds until Ctrl+C." };
        var command = new Command("stats", "Show live counters (hits, misses, transfers, pending uploads, requests) of the AzFuse programs running on this machine.") { watch };
        app.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var client = context.Client;
            if (!parse.GetValue(watch))
            {
                Write(context, client.GetLiveStats());
                return ExitCodes.Success;
            }

            try
            {
                while (true)
                {
                    if (context.Console.IsTerminal)
                    {
                        context.Console.Ansi.Clear(home: true);
                    }

                    Write(context, client.GetLiveStats());
                    await Task.Delay(s_refresh, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Success;
            }
        });
        return command;
    }

    private static void Write(CliContext context, IReadOnlyList<ProcessStats> stats)
    {
        if (stats.Count == 0)
        {
            context.Console.Out.WriteLine("no AzFuse program is running (or none has read or written anything yet)");
            return;
        }

        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in new[] { "pid", "program", "hits", "misses", "evicted", "pending", "pending bytes", "downloaded", "uploaded", "requests", "updated" })
        {
            table.AddColumn(column is "pid" or "program" ? new TableColumn(column) : new TableColumn(column).RightAligned());
        }

        var now = DateTimeOffset.UtcNow;
        foreach (var s in stats)
        {
            table.AddRow(
                Number(s.ProcessId),
                Markup.Escape(s.ProcessName),
                Number(s.Hits),
                Number(s.Misses),
                Number(s.Evictions),
                Number(s.PendingUploads),
                Number(s.PendingUploadBytes),
                Number(s.Usage.BytesDownloaded),
                Number(s.Usage.BytesUploaded),
                Number(s.Usage.TotalRequests),
                Math.Max(0, (long)(now - s.UpdatedAt).TotalSeconds).ToString(CultureInfo.InvariantCulture) + " s ago");
        }

        context.Console.Ansi.Write(table);
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
