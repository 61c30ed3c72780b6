using System.CommandLine;

namespace AzFuse.Cli.Commands;

/// <summary>
/// <c>cp SRC DST [-r]</c>: service-side copies between any two mapped paths (a folder with -r);
/// <c>u PATH... [-f NAME]</c>: the Python tool's <c>u</c>: with -f, copies each path from the
/// mapping file <c>aux_data/azfuse/NAME.yaml</c> to the same path of the current one; without,
/// uploads each path's cached copy to its blob.
/// </summary>
internal static class CopyCommands
{
    public static Command Cp(CommandSetup app)
    {
        var source = new Argument<string>("SRC") { Description = "The logical path to copy." };
        var destination = new Argument<string>("DST") { Description = "The logical path it is copied to (overwritten)." };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "SRC is a folder: copy every file under it to the same place under DST." };
        var command = new Command("cp", "Copy a file (or a folder with -r) service-side: the storage service copies the bytes, between mappings, containers or accounts.") { source, destination, recursive };
        app.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var client = context.Client;
            var from = parse.GetValue(source)!.Replace('\\', '/').TrimEnd('/');
            var to = parse.GetValue(destination)!.Replace('\\', '/').TrimEnd('/');
            if (!parse.GetValue(recursive))
            {
                await CopyOneAsync(context, client, from, to, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            await foreach (var file in client.ListAsync(from, recursive: true, cancellationToken).ConfigureAwait(false))
            {
                await CopyOneAsync(context, client, file, to + file[from.Length..], cancellationToken).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    public static Command U(CommandSetup app)
    {
        var paths = new Argument<string[]>("PATH") { Description = "Logical paths of files.", Arity = ArgumentArity.OneOrMore };
        var from = new Option<string?>("-f", "--from") { Description = "Copy each PATH service-side from the mapping file aux_data/azfuse/NAME.yaml (the same path there) to this configuration.", HelpName = "NAME" };
        var command = new Command("u", "With -f NAME, copy files from another configuration (service-side); without, upload each file's cached copy to its blob (as the Python tool's u).") { paths, from };
        app.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var client = context.Client;
            var sourceClient = parse.GetValue(from) is { } name ? ClientFor(context, name) : null;
            foreach (var path in parse.GetValue(paths)!)
            {
                if (sourceClient is not null)
                {
                    await client.CopyAsync(sourceClient, path, path, cancellationToken).ConfigureAwait(false);
                    await context.Console.Out.WriteLineAsync($"copied {path} from {parse.GetValue(from)}").ConfigureAwait(false);
                    continue;
                }

                if (!client.IsCached(path))
                {
                    throw new FileNotFoundException($"'{path}' has no cached copy to upload: 'u' without -f uploads what the cache holds. Check the path.");
                }

                // The cached copy as it is (edited in place, as Python users do): no freshness check.
                var lease = await client.GetLocalFileAsync(path, FileAccess.Read, cancellationToken: cancellationToken).ConfigureAwait(false);
                await using (lease.ConfigureAwait(false))
                {
                    await client.UploadAsync(lease.Path, path, cancellationToken: cancellationToken).ConfigureAwait(false);
                }

                await context.Console.Out.WriteLineAsync($"uploaded {path}").ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task CopyOneAsync(CliContext context, AzFuseClient client, string from, string to, CancellationToken cancellationToken)
    {
        await client.CopyAsync(from, to, cancellationToken).ConfigureAwait(false);
        await context.Console.Out.WriteLineAsync($"copied {from} -> {to}").ConfigureAwait(false);
    }

    /// <summary>A client of the mapping file aux_data/azfuse/NAME.yaml, with everything else as this run's.</summary>
    private static AzFuseClient ClientFor(CliContext context, string name)
    {
        var options = AzFuseOptions.FromEnvironment();
        options.Enabled = true;
        options.MappingFile = System.IO.Path.Combine("aux_data", "azfuse", name + ".yaml");
        return new AzFuseClient(options);
    }
}
