using System.CommandLine;
using AzFuse.Cli.Progress;

namespace AzFuse.Cli.Commands;

/// <summary>
/// <c>upload LOCAL_DIR LOGICAL_DIR</c>: uploads a local tree with progress, resumably, through the
/// library's <see cref="AzFuseClient.UploadDirectoryAsync"/>: a file whose blob already has the same
/// length and MD5 is skipped, so a run restarted after an interruption (even kill -9) uploads only
/// what is missing or different.
/// </summary>
internal static class UploadCommand
{
    public static Command Create(CommandSetup app)
    {
        var local = new Argument<string>("LOCAL_DIR") { Description = "The local folder to upload (everything under it)." };
        var logical = new Argument<string>("LOGICAL_DIR") { Description = "The logical folder it becomes, such as data/train." };
        var batchSize = new Option<int>("--batch-size") { Description = "Files per confirmed batch.", DefaultValueFactory = _ => 1000 };
        OptionRules.AtLeast(batchSize, 1);
        var stateDir = new Option<string?>("--state-dir") { Description = "Where the upload keeps its state (local files' MD5s); default $XDG_STATE_HOME/azfuse/upload or ~/.local/state/azfuse/upload." };
        var command = new Command("upload", "Upload a local folder to a logical folder, with progress; re-running skips files already uploaded (same length and MD5).") { local, logical, batchSize, stateDir };
        app.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var source = parse.GetValue(local)!;
            if (!Directory.Exists(source))
            {
                throw new DirectoryNotFoundException($"The local folder '{source}' does not exist: pass the folder to upload as LOCAL_DIR.");
            }

            UploadDirectoryResult? result = null;
            await ProgressView.RunAsync(
                context.Console,
                "upload",
                async progress =>
                {
                    var options = new UploadDirectoryOptions
                    {
                        BatchSize = parse.GetValue(batchSize),
                        StateFolder = parse.GetValue(stateDir),
                        Progress = new PlanLine(context.Console, progress),
                    };
                    result = await context.Client.UploadDirectoryAsync(source, parse.GetValue(logical)!, options, cancellationToken).ConfigureAwait(false);
                },
                showSummary: p => p.FilesTotal > 0).ConfigureAwait(false);

            await context.Console.Out.WriteLineAsync($"upload: done, {result!.FilesUploaded} uploaded, {result.FilesSkipped} skipped").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Says what is to be uploaded when the first report (made before anything moves) arrives, then passes the reports on.</summary>
    private sealed class PlanLine(CliConsole console, IProgress<TransferProgress> next) : IProgress<TransferProgress>
    {
        private int _said;

        public void Report(TransferProgress value)
        {
            if (Interlocked.Exchange(ref _said, 1) == 0)
            {
                console.WriteLine($"upload: {value.FilesTotal} files to upload ({value.BytesTotal} bytes)");
            }

            next.Report(value);
        }
    }
}
