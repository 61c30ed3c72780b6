using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace AzFuse.Cli.Commands;

/// <summary><c>cache stats</c> and <c>cache clear [PATH]</c>: the local cache.</summary>
internal static class CacheCommands
{
    public static Command Create(CommandSetup app)
    {
        var cache = new Command("cache", "Inspect or clear the local cache.");
        cache.Subcommands.Add(Stats(app));
        cache.Subcommands.Add(Clear(app));
        return cache;
    }

    /// <remarks>
    /// Hits, misses and evictions are counted per client, that is per process: this command's own
    /// process has done no reads, so it shows what the cache folders hold, which every process shares.
    /// </remarks>
    private static Command Stats(CommandSetup app)
    {
        var command = new Command("stats", "Show how many files and bytes the cache folders of the mapping hold.");
        app.SetAction(command, (context, _, _) =>
        {
            var client = context.Client;
            var stats = client.GetCacheStats();
            var table = new Table().Border(TableBorder.None).HideHeaders();
            table.AddColumn(new TableColumn("what").PadLeft(0));
            table.AddColumn(new TableColumn("value").RightAligned().PadRight(0));
            table.AddRow(new Text("cache folders"), new Text(client.GetMappings().Select(m => m.CacheFolder).Distinct(StringComparer.Ordinal).Count().ToString(CultureInfo.InvariantCulture)));
            table.AddRow(new Text("files"), new Text(stats.Files.ToString(CultureInfo.InvariantCulture)));
            table.AddRow(new Text("bytes"), new Text(stats.Bytes.ToString(CultureInfo.InvariantCulture)));
            context.Console.Ansi.Write(table);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static Command Clear(CommandSetup app)
    {
        var path = new Argument<string?>("PATH") { Description = "A logical file or folder; default: every mapping's whole cache.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("clear", "Delete cached copies so the next read downloads again; blobs are untouched, writes not uploaded yet are kept.") { path };
        app.SetAction(command, async (context, parse, _) =>
        {
            var client = context.Client;
            var targets = parse.GetValue(path) is { } one ? [one] : client.GetMappings().Select(m => m.Local).ToList();
            foreach (var target in targets)
            {
                client.ClearCache(target);
                await context.Console.Out.WriteLineAsync("cleared " + target).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
