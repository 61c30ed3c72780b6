using System.CommandLine;
using System.Text;

namespace AzFuse.Cli.Commands;

/// <summary><c>cat</c>, <c>head</c> and <c>tail</c>: a file's content through the cache, as <c>Open</c> reads it.</summary>
internal static class ReadCommands
{
    public static Command Cat(CommandSetup app)
    {
        var paths = new Argument<string[]>("PATH") { Description = "Logical paths of files, such as data/abc.txt.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("cat", "Print files' content (downloaded into the cache first if needed).") { paths };
        app.SetAction(command, async (context, parse, cancellationToken) =>
        {
            foreach (var path in parse.GetValue(paths)!)
            {
                var stream = await context.Client.OpenAsync(path, FileMode.Open, cancellationToken).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    // The bytes as they are: cat of a binary file must not be re-encoded.
                    await stream.CopyToAsync(context.Console.StandardOutput, cancellationToken).ConfigureAwait(false);
                }
            }

            await context.Console.StandardOutput.FlushAsync(cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Head(CommandSetup app) => Lines(app, "head", "Print the first lines of a file.", first: true);

    public static Command Tail(CommandSetup app) => Lines(app, "tail", "Print the last lines of a file.", first: false);

    private static Command Lines(CommandSetup app, string name, string description, bool first)
    {
        var path = new Argument<string>("PATH") { Description = "Logical path of a file." };
        var count = new Option<int>("--lines", "-n") { Description = "How many lines.", DefaultValueFactory = _ => 10 };
        OptionRules.AtLeast(count, 0);
        var command = new Command(name, description) { path, count };
        app.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var n = parse.GetValue(count);
            var stream = await context.Client.OpenAsync(parse.GetValue(path)!, FileMode.Open, cancellationToken).ConfigureAwait(false);
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
