using System.CommandLine;

namespace AzFuse.Cli;

/// <summary>What every command's builder needs: the console and the shared options (--verbose, --config, -c, --usage), and one way to attach an action.</summary>
internal sealed class CommandSetup(CliConsole console, Option<bool> verbose, Option<string?> configFile, Option<string?> configName, Option<bool> usage)
{
    public CliConsole Console => console;

    /// <summary>Runs <paramref name="body"/> as the command's action, turning any exception into one stderr line and an exit code.</summary>
    public void SetAction(Command command, Func<CliContext, ParseResult, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = new CliContext(console, parse.GetValue(verbose), parse.GetValue(configFile), parse.GetValue(configName));
            try
            {
                return await body(context, parse, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                return ErrorReport.Write(context, ex);
            }
            finally
            {
                if (parse.GetValue(usage))
                {
                    UsageReport.Write(context);
                }
            }
        });
}
