using System.CommandLine;
using System.Text;

namespace AzFuse.Cli.Commands;

/// <summary><c>cat</c>, <c>head</c> and <c>tail</c>: a file's content through the cache, as <c>Open</c> reads it, checked against the blob first.</summary>
internal static class ReadCommands
{
    public static Command Cat(CommandSetup app)
    {
        var paths = new Argument<string[]>("PATH") { Description = "Logical paths of files, such as data/abc.txt.", Arity = ArgumentArity.OneOrMore };
        var noRevalidate = NoRevalidateOption();
        var command = new Command("cat", "Print files' content, checked against the blob first (one request each; downloaded into the cache if needed). A file that cannot be read is reported and the others are printed, as cat does.") { paths, noRevalidate };
        app.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var exitCode = ExitCodes.Success;
            foreach (var path in parse.GetValue(paths)!)
            {
                Stream stream;
                try
                {
                    stream = await OpenAsync(context, path, parse.GetValue(noRevalidate), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is FileNotFoundException or UnauthorizedAccessException)
                {
                    // As cat: report this one and go on with the rest; the exit code says one failed.
                    await context.Console.StandardOutput.FlushAsync(cancellationToken).ConfigureAwait(false);
                    exitCode = ErrorReport.Write(context, ex);
                    continue;
                }

                await using (stream.ConfigureAwait(false))
                {
                    // The bytes as they are: cat of a binary file must not be re-encoded.
                    await stream.CopyToAsync(context.Console.StandardOutput, cancellationToken).ConfigureAwait(false);
                }
            }

            await context.Console.StandardOutput.FlushAsync(cancellationToken).ConfigureAwait(false);
            return exitCode;
        });
        return command;
    }

    public static Command Head(CommandSetup app) => Lines(app, "head", "Print the first lines of a file.", first: true);

    public static Command Tail(CommandSetup app) => Lines(app, "tail", "Print the last lines of a file.", first: false);

    /// <summary>
    /// --no-revalidate. By default these commands show the file as it is remotely now, as the Python
    /// tool's (which clears the cache first): a cached copy is checked with one HEAD and downloaded
    /// again if the blob changed.
    /// </summary>
    public static Option<bool> NoRevalidateOption() => new("--no-revalidate")
    {
        Description = "Use the cached copy as it is, without checking the blob for a newer version (one request).",
    };

    /// <summary>Opens a file to read, checked against its blob unless <paramref name="noRevalidate"/>.</summary>
    public static ValueTask<Stream> OpenAsync(CliContext context, string path, bool noRevalidate, CancellationToken cancellationToken) =>
        context.Client.OpenAsync(path, FileMode.Open, new OpenOptions { Revalidate = !noRevalidate }, cancellationToken);

    private static Command Lines(CommandSetup app, string name, string description, bool first)
    {
        var path = new Argument<string>("PATH") { Description = "Logical path of a file." };
        var count = new Option<int>("--lines", "-n") { Description = "How many lines.", DefaultValueFactory = _ => 10 };
        OptionRules.AtLeast(count, 0);
        var noRevalidate = NoRevalidateOption();
        var command = new Command(name, description + " Checked against the blob first (one request).") { path, count, noRevalidate };
        app.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var n = parse.GetValue(count);
            var stream = await OpenAsync(context, parse.GetValue(path)!, parse.GetValue(noRevalidate), cancellationToken).ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            var lines = first ? await FirstAsync(reader, n, cancellationToken).ConfigureAwait(false) : await LastAsync(reader, n, cancellationToken).ConfigureAwait(false);
            foreach (var line in lines)
            {
                await context.Console.Out.WriteLineAsync(line).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<List<string>> FirstAsync(StreamReader reader, int n, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        string? line;
        while (lines.Count < n && (line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false)) is not null)
        {
            lines.Add(line);
        }

        return lines;
    }

    // A ring of n lines: a multi-GB log is streamed once, never held in memory.
    private static async Task<IEnumerable<string>> LastAsync(StreamReader reader, int n, CancellationToken cancellationToken)
    {
        var lines = new Queue<string>();
        string? line;
        while ((line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false)) is not null)
        {
            lines.Enqueue(line);
            if (lines.Count > n)
            {
                lines.Dequeue();
            }
        }

        return lines;
    }
}
