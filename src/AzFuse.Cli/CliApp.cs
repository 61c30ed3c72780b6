using System.CommandLine;
using System.CommandLine.Help;
using AzFuse.Cli.Commands;

namespace AzFuse.Cli;

/// <summary>
/// The command tree and its invocation: System.CommandLine parses, each command's action runs
/// under one error handler, and the exit code is 0, 1 (a failed operation) or 2 (bad usage).
/// </summary>
internal static class CliApp
{
    public static async Task<int> RunAsync(string[] args, CliConsole console)
    {
        var verbose = new Option<bool>("--verbose", "-v")
        {
            Description = "On an error, print its details and stack trace; print the library's log events on stderr.",
            Recursive = true,
        };
        // A plain Command named as the tool is invoked: a RootCommand would take its name from the
        // assembly (AzFuse.Cli), which cannot be "azfuse" beside the library's AzFuse.dll (assembly
        // names ignore case).
        var configFile = new Option<string?>("--config")
        {
            Description = "Use this mapping file (in place of AZFUSE_CLOUD_FUSE_CONFIG_FILE), and turn AzFuse on.",
            HelpName = "FILE",
            Recursive = true,
        };
        var configName = new Option<string?>("-c")
        {
            Description = "Use the mapping file aux_data/azfuse/NAME.yaml, as the Python tool's -c NAME, and turn AzFuse on.",
            HelpName = "NAME",
            Recursive = true,
        };
        var root = new Command("azfuse", "Read, list, edit and move files of Azure Blob Storage through AzFuse's mapping (AZFUSE_USE_FUSE, AZFUSE_CLOUD_FUSE_CONFIG_FILE, ...).");
        root.Options.Add(new HelpOption());
        root.Options.Add(new VersionOption());
        root.Options.Add(verbose);
        root.Options.Add(configFile);
        root.Options.Add(configName);
        var usage = UsageReport.CreateOption();
        root.Options.Add(usage);

        var app = new CommandSetup(console, verbose, configFile, configName, usage);
        foreach (var command in new[]
                 {
                     ReadCommands.Cat(app), ReadCommands.Head(app), ReadCommands.Tail(app), ListCommand.Create(app), UrlCommand.Create(app),
                     RemoveCommand.Create(app), UpdateCommand.Create(app), PrepareCommand.Create(app), UploadCommand.Create(app),
                     ResumeCommand.Create(app), CacheCommands.Create(app), DoctorCommand.Create(app), StatsCommand.Create(app),
                     PathCommands.Path(app), PathCommands.Display(app), TierCommand.Tier(app), TierCommand.Cold(app), MetaCommand.Meta(app), MetaCommand.ClearMeta(app),
                     LeaseCommand.Lease(app), LeaseCommand.Break(app), CopyCommands.Cp(app), CopyCommands.U(app),
                 })
        {
            root.Subcommands.Add(command);
        }

        var result = root.Parse(args);
        if (StrictOptions.FindUnknown(result, args) is { } unknown)
        {
            var command = result.CommandResult;
            console.Error.WriteLine($"azfuse: unknown option '{unknown}' for '{command.Command.Name}'. Usage: {StrictOptions.Usage(command)}. Run '{(command.Parent is null ? "azfuse --help" : $"azfuse {command.Command.Name} --help")}' for details.");
            return ExitCodes.BadUsage;
        }

        if (result.Errors.Count > 0)
        {
            // One line, as for every other error: what is wrong, then where the usage is.
            // (Some messages list choices one a line: "Did you mean one of the following?\nCold\nHot".)
            var messages = string.Join("; ", result.Errors.Select(e => string.Join(' ', e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.')));
            console.Error.WriteLine($"azfuse: {messages}. Run 'azfuse --help' (or 'azfuse COMMAND --help') for usage.");
            return ExitCodes.BadUsage;
        }

        return await result.InvokeAsync(new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
    }
}
