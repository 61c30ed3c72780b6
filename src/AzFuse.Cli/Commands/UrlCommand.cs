using System.CommandLine;

namespace AzFuse.Cli.Commands;

/// <summary><c>url PATH [--expiry 30d]</c>: a read-only SAS URL of a file's blob, for sharing.</summary>
internal static class UrlCommand
{
    public static Command Create(CommandSetup app)
    {
        var path = new Argument<string>("PATH") { Description = "Logical path of a file under a mapping." };
        var expiry = new Option<TimeSpan>("--expiry", "-e")
        {
            Description = "How long the URL works: a number and d, h, m or s (30d, 12h).",
            DefaultValueFactory = _ => TimeSpan.FromDays(30),
            CustomParser = r =>
            {
                var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : string.Empty;
                if (Duration.TryParse(text, out var value))
                {
                    return value;
                }

                r.AddError($"'{text}' is not a duration for --expiry: write a number and d, h, m or s, such as 30d or 12h.");
                return default;
            },
        };
        var command = new Command("url", "Print a URL that lets anyone holding it read the file (read-only SAS), until it expires.") { path, expiry };
        app.SetAction(command, async (context, parse, cancellationToken) =>
        {
            // The URL is the requested output: its read-only signature is what the user shares.
            var url = await context.Client.GetUrlAsync(parse.GetValue(path)!, parse.GetValue(expiry), cancellationToken).ConfigureAwait(false);
            await context.Console.Out.WriteLineAsync(url.AbsoluteUri).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
