using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace AzFuse.Cli.Commands;

/// <summary><c>ls [PATH] [-r] [-l]</c>: what is remote under a logical folder; sizes, times and tiers with -l.</summary>
internal static class ListCommand
{
    public static Command Create(CommandSetup app)
    {
        var path = new Argument<string?>("PATH") { Description = "A logical folder; default: the mapping's folders (or '.' when AzFuse is off).", Arity = ArgumentArity.ZeroOrOne };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "List the files in sub-folders too, at any depth." };
        var details = new Option<bool>("--long", "-l") { Description = "Show each file's size in bytes, last-modified and creation times (UTC) and access tier." };
        var command = new Command("ls", "List the files (and sub-folders) under a logical folder.") { path, recursive, details };
        app.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var client = context.Client;
            var folder = parse.GetValue(path);
            List<FileEntry> entries;
            if (folder is null && client.IsEnabled)
            {
                // No folder: the mapped prefixes are the roots a user can list.
                entries = [.. client.GetMappings().Select(m => new FileEntry(m.Local, isFolder: true, 0, lastModified: null, contentMd5: null))];
            }
            else
            {
                entries = await ListAsync(client, folder ?? ".", parse.GetValue(recursive), cancellationToken).ConfigureAwait(false);
            }

            if (parse.GetValue(details))
            {
                WriteTable(context.Console.Ansi, entries);
            }
            else
            {
                foreach (var entry in entries)
                {
                    await context.Console.Out.WriteLineAsync(entry.ToString()).ConfigureAwait(false);
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// The entries under a folder; for a file, the file itself (as ls does), found in its parent's
    /// listing so that -l has its size and time. A path that is neither is an error.
    /// </summary>
    private static async Task<List<FileEntry>> ListAsync(AzFuseClient client, string path, bool recursive, CancellationToken cancellationToken)
    {
        var entries = await CollectAsync(client.ListEntriesAsync(path, recursive, cancellationToken)).ConfigureAwait(false);
        if (entries.Count > 0)
        {
            return entries;
        }

        if (!await client.ExistsAsync(path, cancellationToken).ConfigureAwait(false))
        {
            throw new FileNotFoundException($"'{path}' does not exist: check the path, or list its parent folder.");
        }

        var normalized = path.Replace('\\', '/').TrimEnd('/');
        var slash = normalized.LastIndexOf('/');
        if (slash > 0)
        {
            var siblings = await CollectAsync(client.ListEntriesAsync(normalized[..slash], recursive: false, cancellationToken)).ConfigureAwait(false);
            entries.AddRange(siblings.Where(e => !e.IsFolder && e.Path == normalized));
        }

        return entries; // an existing folder with nothing in it (a mapping's empty root) lists as nothing
    }

    private static async Task<List<FileEntry>> CollectAsync(IAsyncEnumerable<FileEntry> entries)
    {
        var list = new List<FileEntry>();
        await foreach (var entry in entries.ConfigureAwait(false))
        {
            list.Add(entry);
        }

        return list;
    }

    private static string Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-";

    private static void WriteTable(IAnsiConsole console, List<FileEntry> entries)
    {
        var table = new Table().Border(TableBorder.None).HideHeaders();
        table.AddColumn(new TableColumn("size").RightAligned().PadLeft(0));
        table.AddColumn(new TableColumn("modified"));
        table.AddColumn(new TableColumn("created"));
        table.AddColumn(new TableColumn("tier"));
        table.AddColumn(new TableColumn("path").PadRight(0));
        foreach (var entry in entries)
        {
            table.AddRow(
                new Text(entry.IsFolder ? "-" : entry.Length.ToString(CultureInfo.InvariantCulture)),
                new Text(Time(entry.LastModified)),
                new Text(Time(entry.CreatedOn)),
                new Text(entry.AccessTier ?? "-"),
                new Text(entry.ToString()));
        }

        console.Write(table);
    }
}
