using AzFuse.Cli;

// The entry point only wires the real console to the application; everything else is in CliApp.
return await CliApp.RunAsync(args, CliConsole.FromProcess()).ConfigureAwait(false);
