using System.CommandLine;

namespace AzFuse.Cli.Commands;

/// <summary>
/// <c>meta PATH [--set NAME=VALUE]... [--clear]</c>: shows a blob's metadata, one <c>NAME: VALUE</c>
/// a line; --set adds or changes entries, --clear removes them all first. <c>clear_meta PATH</c>
/// is the Python tool's name for <c>meta --clear</c>.
/// </summary>
internal static class MetaCommand
{
    public static Command Meta(CommandSetup app)
    {
        var path = new Argument<string>("PATH") { Description = "Logical path of a file." };
        var set = new Option<string[]>("--set") { Description = "Add or change an entry (repeatable).", HelpName = "NAME=VALUE", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var clear = new Option<bool>("--clear") { Description = "Remove every entry (before --set adds any)." };
        var command = new Command("meta", "Show a file's blob metadata, or change it with --set and --clear.") { path, set, clear };
        app.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var changes = (parse.GetValue(set) ?? []).Select(Entry).ToList();
            return await RunAsync(context, parse.GetValue(path)!, parse.GetValue(clear), changes, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    public static Command ClearMeta(CommandSetup app)
    {
        var path = new Argument<string>("PATH") { Description = "Logical path of a file." };
        var command = new Command("clear_meta", "Remove every metadata entry of a file's blob (as 'meta --clear').") { path };
        app.SetAction(command, (context, parse, cancellationToken) => RunAsync(context, parse.GetValue(path)!, clear: true, [], cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string path, bool clear, List<KeyValuePair<string, string>> changes, CancellationToken cancellationToken)
    {
        var client = context.Client;
        var metadata = new SortedDictionary<string, string>(
            clear ? new Dictionary<string, string>() : (await client.GetPropertiesAsync(path, cancellationToken).ConfigureAwait(false)).Metadata.ToDictionary(),
            StringComparer.OrdinalIgnoreCase);
        if (clear || changes.Count > 0)
        {
            foreach (var (name, value) in changes)
            {
                metadata[name] = value;
            }

            await client.SetMetadataAsync(path, metadata, cancellationToken).ConfigureAwait(false);
        }

        foreach (var (name, value) in metadata)
        {
            await context.Console.Out.WriteLineAsync($"{name}: {value}").ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    private static KeyValuePair<string, string> Entry(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        return equals > 0
            ? new(text[..equals], text[(equals + 1)..])
            : throw new UsageException($"--set '{text}' is not NAME=VALUE.");
    }
}
