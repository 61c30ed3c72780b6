using System.CommandLine;

namespace AzFuse.Cli.Commands;

/// <summary><c>tier TIER PATH...</c>: moves blobs to an access tier; <c>cold PATH...</c> is the Python tool's name for <c>tier cold</c>.</summary>
internal static class TierCommand
{
    public static Command Tier(CommandSetup app)
    {
        var tier = new Argument<AzFuseAccessTier>("TIER") { Description = "hot, cool, cold or archive (an archived file cannot be read until moved back, which takes hours)." };
        var paths = new Argument<string[]>("PATH") { Description = "Logical paths of files.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("tier", "Move files' blobs to an access tier.") { tier, paths };
        app.SetAction(command, (context, parse, cancellationToken) => SetAsync(context, parse.GetValue(tier), parse.GetValue(paths)!, cancellationToken));
        return command;
    }

    public static Command Cold(CommandSetup app)
    {
        var paths = new Argument<string[]>("PATH") { Description = "Logical paths of files.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("cold", "Move files' blobs to the cold tier (as 'tier cold').") { paths };
        app.SetAction(command, (context, parse, cancellationToken) => SetAsync(context, AzFuseAccessTier.Cold, parse.GetValue(paths)!, cancellationToken));
        return command;
    }

    private static async Task<int> SetAsync(CliContext context, AzFuseAccessTier tier, string[] paths, CancellationToken cancellationToken)
    {
        foreach (var path in paths)
        {
            await context.Client.SetAccessTierAsync(path, tier, cancellationToken).ConfigureAwait(false);
            await context.Console.Out.WriteLineAsync($"{path}: {tier.ToString().ToLowerInvariant()}").ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }
}
