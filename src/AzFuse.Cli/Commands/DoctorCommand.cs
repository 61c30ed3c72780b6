using System.CommandLine;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace AzFuse.Cli.Commands;

/// <summary>
/// <c>doctor</c>: checks the configuration files (warning of keys nobody reads), the azcopy binary
/// and its version, signing in to each storage account, and reaching each configured container;
/// one line per check, and a fix on every failed one.
/// </summary>
internal static partial class DoctorCommand
{
    // The oldest azcopy whose --output-type json, --list-of-files and pipe modes AzFuse relies on.
    private static readonly Version s_minimumAzCopy = new(10, 0);

    public static Command Create(CommandSetup app)
    {
        var command = new Command("doctor", "Check the configuration, azcopy, signing in, and access to every configured container.");
        app.SetAction(command, async (context, _, cancellationToken) =>
        {
            var report = new Report(context.Console.Out);
            var options = context.Options;

            // A client of its own, whose warnings (unknown keys in the YAML files) become report lines.
            using var warnings = new WarningCollector();
            var client = new AzFuseClient(options, warnings);
            if (!options.Enabled)
            {
                report.Fail("AZFUSE_USE_FUSE", "not set: every command acts on local files", "export AZFUSE_USE_FUSE=1 to use the mapping's blobs");
            }
            else
            {
                report.Ok("AZFUSE_USE_FUSE", "on");
            }

            var mappings = CheckConfiguration(report, options, client);
            foreach (var warning in warnings.Take())
            {
                report.Warn(warning);
            }

            await CheckAzCopyAsync(report, client, cancellationToken).ConfigureAwait(false);
            foreach (var mapping in mappings.DistinctBy(m => m.StorageAccount))
            {
                await CheckCredentialAsync(report, client, mapping, cancellationToken).ConfigureAwait(false);
            }

            foreach (var mapping in mappings)
            {
                await CheckContainerAsync(report, client, mapping, cancellationToken).ConfigureAwait(false);
            }

            return report.Failures == 0 ? ExitCodes.Success : ExitCodes.Failed;
        });
        return command;
    }

    private static IReadOnlyList<MappingInfo> CheckConfiguration(Report report, AzFuseOptions options, AzFuseClient client)
    {
        // As the Python tool: without the variable, its default file in the current directory.
        var mappingFile = options.MappingFile ?? AzFuseOptions.DefaultMappingFile;
        if (!File.Exists(mappingFile))
        {
            if (options.MappingFile is null)
            {
                report.Fail("mapping file", $"AZFUSE_CLOUD_FUSE_CONFIG_FILE is not set and the default {mappingFile} does not exist here", "export AZFUSE_CLOUD_FUSE_CONFIG_FILE=/path/to/mapping.yaml (a YAML list of cache/local/remote/storage_account entries), or create the default file");
            }
            else
            {
                report.Fail("mapping file " + mappingFile, "does not exist", "create it, or point AZFUSE_CLOUD_FUSE_CONFIG_FILE at the right file");
            }

            return [];
        }

        if (!Directory.Exists(options.StorageAccountFolder))
        {
            report.Fail("storage account folder " + options.StorageAccountFolder, "does not exist", "create it with one NAME.yaml per storage_account, or set AZFUSE_STORAGE_ACCOUNT_CONFIG_FOLDER");
            return [];
        }

        report.Ok("storage account folder " + options.StorageAccountFolder, "exists");
        if (!client.IsEnabled)
        {
            return [];
        }

        try
        {
            var mappings = client.GetMappings();
            report.Ok("mapping file " + mappingFile, $"{mappings.Count} mapping{(mappings.Count == 1 ? string.Empty : "s")}, every storage account file valid");
            return mappings;
        }
        catch (AzFuseConfigurationException ex)
        {
            report.Fail("mapping file " + mappingFile, ex.Message, "correct the file named in the message" + (ex.Line is { } line ? $" at line {line}" : string.Empty));
            return [];
        }
    }

    private static async Task CheckAzCopyAsync(Report report, AzFuseClient client, CancellationToken cancellationToken)
    {
        string path;
        try
        {
            path = client.LocateAzCopy();
        }
        catch (AzCopyNotFoundException ex)
        {
            report.Fail("azcopy", ex.Message, "install azcopy 10 (https://aka.ms/downloadazcopy-v10-linux) and put it on PATH, or set AZFUSE_AZCOPY_PATH; small transfers still work over HTTP without it");
            return;
        }

        string output;
        try
        {
            var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("--version");
            using var process = Process.Start(start) ?? throw new InvalidOperationException("the process did not start");
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            output = (await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false)).Trim();
            if (process.ExitCode != 0)
            {
                report.Fail("azcopy " + path, $"'azcopy --version' exited with {process.ExitCode}: {FirstLine(output)}", "reinstall azcopy; on Linux it needs libsecret-1-0 (apt-get install libsecret-1-0)");
                return;
            }
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            report.Fail("azcopy " + path, "cannot run: " + ex.Message, "make it executable (chmod +x) or reinstall it");
            return;
        }

        var match = VersionPattern().Match(output);
        if (!match.Success || !Version.TryParse(match.Groups["v"].Value, out var version))
        {
            report.Fail("azcopy " + path, $"unrecognised version output '{FirstLine(output)}'", "install azcopy 10 from https://aka.ms/downloadazcopy-v10-linux");
        }
        else if (version < s_minimumAzCopy)
        {
            report.Fail("azcopy " + path, $"version {version} is too old", "install azcopy 10 from https://aka.ms/downloadazcopy-v10-linux");
        }
        else
        {
            report.Ok("azcopy " + path, "version " + version);
        }
    }

    private static async Task CheckCredentialAsync(Report report, AzFuseClient client, MappingInfo mapping, CancellationToken cancellationToken)
    {
        var name = $"sign-in {mapping.StorageAccount}.yaml ({mapping.Credential})";
        try
        {
            report.Ok(name, await client.VerifyCredentialAsync(mapping.StorageAccount, cancellationToken).ConfigureAwait(false));
        }
        catch (AzFuseException ex)
        {
            report.Fail(name, ex.Message, $"change the credential in {mapping.StorageAccount}.yaml, or set up what the message asks for on this machine");
        }
    }

    private static async Task CheckContainerAsync(Report report, AzFuseClient client, MappingInfo mapping, CancellationToken cancellationToken)
    {
        var name = $"container {mapping.ContainerUri} ({mapping.Local} -> {(mapping.Remote.Length == 0 ? "/" : mapping.Remote)})";
        try
        {
            // One List Blobs page of the mapped folder: proves the endpoint answers, the container
            // exists and the credentials may list it.
            var entries = client.ListEntriesAsync(mapping.Local, cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken);
            await using (entries.ConfigureAwait(false))
            {
                await entries.MoveNextAsync().ConfigureAwait(false);
            }

            report.Ok(name, "reachable");
        }
        catch (AzFuseException ex)
        {
            report.Fail(name, ex.Message, $"check the endpoint, container_name and credentials in {mapping.StorageAccount}.yaml (the message says which failed)");
        }
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    [GeneratedRegex(@"version (?<v>\d+\.\d+(\.\d+)?)", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();

    /// <summary>One line per check: "ok    what: detail" or "FAIL  what: problem; fix: what to do".</summary>
    private sealed class Report(TextWriter output)
    {
        public int Failures { get; private set; }

        public void Ok(string what, string detail) => output.WriteLine($"ok    {what}: {detail}");

        public void Warn(string detail) => output.WriteLine(Secrets.Redact($"warn  {OneLine(detail)}"));

        public void Fail(string what, string problem, string fix)
        {
            Failures++;
            output.WriteLine(Secrets.Redact($"FAIL  {what}: {OneLine(problem)}; fix: {fix}"));
        }

        private static string OneLine(string text) =>
            string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
