using System.CommandLine;

namespace AzFuse.Cli.Commands;

/// <summary><c>resume</c>: uploads what crashed or killed programs left pending (ResumePendingUploads).</summary>
internal static class ResumeCommand
{
    public static Command Create(CommandSetup app)
    {
        var command = new Command("resume", "Upload every write that crashed or killed programs left pending.");
        app.SetAction(command, async (context, _, cancellationToken) =>
        {
            var uploaded = await context.Client.ResumePendingUploadsAsync(cancellationToken).ConfigureAwait(false);
            await context.Console.Out.WriteLineAsync($"uploaded {uploaded} pending file{(uploaded == 1 ? string.Empty : "s")}").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
