namespace AzFuse.Cli;

/// <summary>
/// Turns an exception into the tool's error output: one readable line on stderr ("azfuse: what
/// happened, what to do"), the inner causes and stack only with --verbose, and the exit code.
/// </summary>
internal static class ErrorReport
{
    public static int Write(CliContext context, Exception exception)
    {
        var error = context.Console.Error;
        error.WriteLine("azfuse: " + OneLine(Secrets.Redact(Message(exception))));
        if (context.Verbose)
        {
            error.WriteLine(Secrets.Redact(exception.ToString()));
        }

        return exception is UsageException or ArgumentException ? ExitCodes.BadUsage : ExitCodes.Failed;
    }

    private static string Message(Exception exception) => exception switch
    {
        // Each failed file on its own: the exception's message only counts them.
        AzFuseTransferException transfer when transfer.Failures.Count > 0 =>
            transfer.Message + " " + string.Join("; ", transfer.Failures.Take(5).Select(f => f.Path + ": " + f.Exception.Message)) +
            (transfer.Failures.Count > 5 ? $"; and {transfer.Failures.Count - 5} more" : string.Empty),
        OperationCanceledException => "Cancelled.",
        _ => exception.Message,
    };

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
