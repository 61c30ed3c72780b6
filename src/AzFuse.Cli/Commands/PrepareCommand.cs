using System.CommandLine;
using AzFuse.Cli.Progress;

namespace AzFuse.Cli.Commands;

/// <summary>
/// <c>prepare PATH... | --from-file LIST</c>: fills the cache for many files or whole folders,
/// showing the library's progress reports.
/// </summary>
internal static class PrepareCommand
{
    public static Command Create(CommandSetup app)
    {
        var paths = new Argument<string[]>("PATH") { Description = "Logical files or folders (a folder means every file under it).", Arity = ArgumentArity.ZeroOrMore };
        var fromFile = new Option<string?>("--from-file", "-f") { Description = "A file with one logical path per line ('-' for stdin); blank lines and lines starting with # are skipped." };
        var command = new Command("prepare", "Download into the cache every listed file that is not cached yet, with progress.") { paths, fromFile };
        command.Aliases.Add("download"); // the Python tool's names
        command.Aliases.Add("d");
        command.Validators.Add(r =>
        {
            var hasPaths = r.GetValue(paths) is { Length: > 0 };
            var hasList = r.GetValue(fromFile) is not null;
            if (hasPaths == hasList)
            {
                r.AddError("prepare takes either PATH arguments or --from-file LIST (one of the two).");
            }
        });
        app.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var client = context.Client;
            if (!client.IsEnabled)
            {
                await context.Console.Out.WriteLineAsync("prepare: nothing to do, local files need no cache").ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var files = parse.GetValue(fromFile) is { } list
                ? await ReadListAsync(context.Console, list, cancellationToken).ConfigureAwait(false)
                : await ExpandAsync(client, parse.GetValue(paths)!, cancellationToken).ConfigureAwait(false);
            await ProgressView.RunAsync(context.Console, "prepare", progress => client.PrepareAsync(files, progress, cancellationToken)).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<List<string>> ReadListAsync(CliConsole console, string list, CancellationToken cancellationToken)
    {
        var lines = list == "-"
            ? await ReadAllLinesAsync(console.In, cancellationToken).ConfigureAwait(false)
            : File.Exists(list)
                ? await File.ReadAllLinesAsync(list, cancellationToken).ConfigureAwait(false)
                : throw new FileNotFoundException($"The list file '{list}' does not exist: pass a file with one logical path per line, or '-' to read them from stdin.");
        return [.. lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];
    }

    private static async Task<string[]> ReadAllLinesAsync(TextReader reader, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lines.Add(line);
        }

        return [.. lines];
    }

    /// <summary>A folder stands for every file under it; anything else is taken as a file (Prepare names it if it is missing).</summary>
    private static async Task<List<string>> ExpandAsync(AzFuseClient client, string[] paths, CancellationToken cancellationToken)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            var under = new List<string>();
            await foreach (var file in client.ListAsync(path, recursive: true, cancellationToken).ConfigureAwait(false))
            {
                under.Add(file);
            }

            files.AddRange(under.Count > 0 ? under : [path]);
        }

        return files;
    }
}
