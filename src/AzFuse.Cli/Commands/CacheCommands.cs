using System.CommandLine;

namespace AzFuse.Cli.Commands;

/// <summary><c>cache clear [PATH]</c> (and <c>cache stats</c>): the local cache.</summary>
internal static class CacheCommands
{
    public static Command Create(CommandSetup app)
    {
        var cache = new Command("cache", "Inspect or clear the local cache.");
        cache.Subcommands.Add(Clear(app));
        return cache;
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
