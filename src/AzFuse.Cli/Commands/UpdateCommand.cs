using System.CommandLine;
using System.Security.Cryptography;

namespace AzFuse.Cli.Commands;

/// <summary>
/// <c>update PATH</c> (alias <c>edit</c>): opens a copy of the file in $EDITOR (default nvim, then
/// vi) and uploads it only if its content changed.
/// </summary>
internal static class UpdateCommand
{
    public static Command Create(CommandSetup app)
    {
        var path = new Argument<string>("PATH") { Description = "Logical path of a file (a new file when it does not exist)." };
        var command = new Command("update", "Edit a file in $EDITOR (default nvim, then vi) and upload it if it changed. The upload cannot be undone.") { path };
        command.Aliases.Add("edit");
        command.Aliases.Add("nvim"); // the Python tool's name
        app.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var logical = parse.GetValue(path)!;
            var client = context.Client;
            byte[] original;
            try
            {
                original = await client.ReadAllBytesAsync(logical, cancellationToken).ConfigureAwait(false);
            }
            catch (FileNotFoundException)
            {
                original = [];
                context.Console.Error.WriteLine($"azfuse: {logical} does not exist yet: it is created if you save content.");
            }

            // The editor works on a private copy: the cache file is only replaced through the
            // library's write path, which uploads it and keeps the cache consistent.
            var folder = Directory.CreateTempSubdirectory("azfuse-edit-");
            try
            {
                var copy = Path.Combine(folder.FullName, Path.GetFileName(logical.TrimEnd('/', '\\')));
                await File.WriteAllBytesAsync(copy, original, cancellationToken).ConfigureAwait(false);
                await RunEditorAsync(copy, cancellationToken).ConfigureAwait(false);
                var edited = await File.ReadAllBytesAsync(copy, cancellationToken).ConfigureAwait(false);
                if (SHA256.HashData(edited).AsSpan().SequenceEqual(SHA256.HashData(original)))
                {
                    await context.Console.Out.WriteLineAsync($"{logical}: unchanged, nothing uploaded").ConfigureAwait(false);
                    return ExitCodes.Success;
                }

                await client.WriteAllBytesAsync(logical, edited, cancellationToken).ConfigureAwait(false);
                await context.Console.Out.WriteLineAsync($"{logical}: changed, uploaded {edited.Length} bytes").ConfigureAwait(false);
                return ExitCodes.Success;
            }
            finally
            {
                folder.Delete(recursive: true);
            }
        });
        return command;
    }

    /// <summary>Runs $EDITOR (default nvim, then vi) on the file and waits for it.</summary>
    private static async Task RunEditorAsync(string file, CancellationToken cancellationToken)
    {
        var editor = Environment.GetEnvironmentVariable("EDITOR");
        if (string.IsNullOrWhiteSpace(editor))
        {
            editor = ShellProgram.OnPath("nvim") ? "nvim" : ShellProgram.OnPath("vi") ? "vi" : throw new InvalidOperationException("No editor found: set EDITOR (for example export EDITOR=nano), or install nvim or vi.");
        }

        var exitCode = await ShellProgram.RunAsync(editor, [file], cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"The editor '{editor}' exited with code {exitCode}: nothing was uploaded.");
        }
    }
}
