using System.CommandLine;

namespace AzFuse.Cli.Commands;

/// <summary>
/// <c>path PATH...</c>: the local path of each file after caching it; <c>display PATH...</c> (alias
/// <c>open</c>): the files shown with $AZFUSE_VIEWER, or xdg-open, from their cached copies.
/// Both check a cached copy against its blob first, as <c>cat</c> does.
/// </summary>
internal static class PathCommands
{
    public static Command Path(CommandSetup app)
    {
        var paths = new Argument<string[]>("PATH") { Description = "Logical paths of files.", Arity = ArgumentArity.OneOrMore };
        var noRevalidate = ReadCommands.NoRevalidateOption();
        var command = new Command("path", "Print the local path of each file, after caching it (the path is the cache's copy: read it, do not change it; it may be evicted later).") { paths, noRevalidate };
        app.SetAction(command, async (context, parse, cancellationToken) =>
        {
            foreach (var path in parse.GetValue(paths)!)
            {
                var local = await context.Client.GetLocalFileAsync(path, FileAccess.Read, Options(parse.GetValue(noRevalidate)), cancellationToken).ConfigureAwait(false);
                await using (local.ConfigureAwait(false))
                {
                    await context.Console.Out.WriteLineAsync(local.Path).ConfigureAwait(false);
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Display(CommandSetup app)
    {
        var paths = new Argument<string[]>("PATH") { Description = "Logical paths of files, such as data/photo.png.", Arity = ArgumentArity.OneOrMore };
        var noRevalidate = ReadCommands.NoRevalidateOption();
        var command = new Command("display", "Show files with the system's viewer: $AZFUSE_VIEWER (run through sh, with the files as arguments), else xdg-open for each.") { paths, noRevalidate };
        command.Aliases.Add("open");
        app.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var leases = new List<AzFuseLocalFile>();
            try
            {
                foreach (var path in parse.GetValue(paths)!)
                {
                    leases.Add(await context.Client.GetLocalFileAsync(path, FileAccess.Read, Options(parse.GetValue(noRevalidate)), cancellationToken).ConfigureAwait(false));
                }

                // Held while the viewer runs: nothing is evicted from under it.
                var files = leases.Select(l => l.Path).ToList();
                var viewer = Environment.GetEnvironmentVariable("AZFUSE_VIEWER");
                if (!string.IsNullOrWhiteSpace(viewer))
                {
                    await RunViewerAsync(viewer, files, cancellationToken).ConfigureAwait(false);
                }
                else if (ShellProgram.OnPath("xdg-open"))
                {
                    foreach (var file in files)
                    {
                        await RunViewerAsync("xdg-open", [file], cancellationToken).ConfigureAwait(false);
                    }
                }
                else
                {
                    throw new InvalidOperationException("No viewer found: set AZFUSE_VIEWER (for example export AZFUSE_VIEWER=eog), or install xdg-utils. 'azfuse path' prints the cached files' paths.");
                }
            }
            finally
            {
                foreach (var lease in leases)
                {
                    await lease.DisposeAsync().ConfigureAwait(false);
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static OpenOptions Options(bool noRevalidate) => new() { Revalidate = !noRevalidate };

    private static async Task RunViewerAsync(string viewer, IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        var exitCode = await ShellProgram.RunAsync(viewer, files, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"The viewer '{viewer}' exited with code {exitCode}.");
        }
    }
}
