using System.CommandLine;

namespace AzFuse.Cli.Commands;

/// <summary>
/// <c>rm PATH... [-r] [--yes]</c>: deletes remote blobs and their cached copies, after a
/// confirmation read from stdin (anything but y/yes, or end of input, declines).
/// </summary>
internal static class RemoveCommand
{
    private const int ShownInPrompt = 5;

    public static Command Create(CommandSetup app)
    {
        var paths = new Argument<string[]>("PATH") { Description = "Logical paths of files (folders with -r).", Arity = ArgumentArity.OneOrMore };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Allow deleting whole folders: every file under them." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation." };
        var command = new Command("rm", "Delete files: the remote blob and the cached copy. This cannot be undone.") { paths, recursive, yes };
        app.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var client = context.Client;
            var files = new List<string>();
            foreach (var path in parse.GetValue(paths)!)
            {
                files.AddRange(await ExpandAsync(client, path, parse.GetValue(recursive), cancellationToken).ConfigureAwait(false));
            }

            if (!parse.GetValue(yes) && !Confirm(context.Console, files))
            {
                context.Console.Error.WriteLine("azfuse: nothing deleted.");
                return ExitCodes.Failed;
            }

            foreach (var file in files)
            {
                await client.DeleteAsync(file, cancellationToken).ConfigureAwait(false);
                await context.Console.Out.WriteLineAsync("deleted " + file).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A file is itself; a folder is every file under it, and only with -r.</summary>
    private static async Task<IReadOnlyList<string>> ExpandAsync(AzFuseClient client, string path, bool recursive, CancellationToken cancellationToken)
    {
        if (!await client.ExistsAsync(path, cancellationToken).ConfigureAwait(false))
        {
            throw new FileNotFoundException($"'{path}' does not exist: nothing was deleted. Check the path with 'azfuse ls'.");
        }

        try
        {
            await client.GetLengthAsync(path, cancellationToken).ConfigureAwait(false);
            return [path];
        }
        catch (Exception ex) when (ex is FileNotFoundException or UnauthorizedAccessException)
        {
            // Exists but has no length: a folder.
        }

        var files = new List<string>();
        await foreach (var file in client.ListAsync(path, recursive: true, cancellationToken).ConfigureAwait(false))
        {
            files.Add(file);
        }

        return recursive
            ? files
            : throw new UsageException($"'{path}' is a folder ({files.Count} files): add -r to delete everything under it.");
    }

    private static bool Confirm(CliConsole console, List<string> files)
    {
        var shown = string.Join(", ", files.Take(ShownInPrompt)) + (files.Count > ShownInPrompt ? $", and {files.Count - ShownInPrompt} more" : string.Empty);
        console.Error.Write($"Delete {files.Count} file{(files.Count == 1 ? string.Empty : "s")} ({shown})? This cannot be undone. [y/N] ");
        var answer = console.In.ReadLine()?.Trim();
        return string.Equals(answer, "y", StringComparison.OrdinalIgnoreCase) || string.Equals(answer, "yes", StringComparison.OrdinalIgnoreCase);
    }
}
