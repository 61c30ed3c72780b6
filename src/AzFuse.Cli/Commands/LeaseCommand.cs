using System.CommandLine;

namespace AzFuse.Cli.Commands;

/// <summary><c>lease break PATH...</c>: breaks blobs' leases at once; <c>break PATH...</c> is the Python tool's name for it.</summary>
internal static class LeaseCommand
{
    public static Command Lease(CommandSetup app)
    {
        var lease = new Command("lease", "Blob leases (locks across machines).");
        lease.Subcommands.Add(Break(app, "break", "Break the lease on files' blobs at once, whoever holds it (for a holder that is gone)."));
        return lease;
    }

    public static Command Break(CommandSetup app) => Break(app, "break", "Break the lease on files' blobs at once (as 'lease break').");

    private static Command Break(CommandSetup app, string name, string description)
    {
        var paths = new Argument<string[]>("PATH") { Description = "Logical paths of files.", Arity = ArgumentArity.OneOrMore };
        var command = new Command(name, description) { paths };
        app.SetAction(command, async (context, parse, cancellationToken) =>
        {
            foreach (var path in parse.GetValue(paths)!)
            {
                await context.Client.BreakLeaseAsync(path, cancellationToken).ConfigureAwait(false);
                await context.Console.Out.WriteLineAsync($"{path}: lease broken").ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
