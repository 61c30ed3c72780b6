using System.Diagnostics;

namespace AzFuse.Tests.Infrastructure;

/// <summary>Starts tests/AzFuse.TestHelper (built with the tests) as a separate process.</summary>
public static class HelperProcess
{
    // What configures AzFuse or Microsoft Entra ID sign-in comes only from the test: a variable left
    // in the test's own environment must not change what a child does (or send it to a real
    // identity endpoint).
    private static readonly string[] s_cleared =
    [
        "AZFUSE_USE_FUSE", "AZFUSE_CLOUD_FUSE_CONFIG_FILE", "AZFUSE_STORAGE_ACCOUNT_CONFIG_FOLDER", "AZFUSE_AZCOPY_PATH", "AZFUSE_TRANSFER_ENGINE",
        "AZFUSE_TSV_USE_FUSE", "AZFUSE_USE_FUSE_ENABLE_GARBAGE_COLLECTION", "AZFUSE_CLOUD_FUSE_GARBAGE_COLLECTION_MAX",
        "QD_USE_FUSE", "QD_TSV_USE_FUSE", "QD_CLOUD_FUSE_CONFIG_FILE", "QD_STORAGE_ACCOUNT_CONFIG_FOLDER", "QD_AZCOPY_PATH", "QD_TRANSFER_ENGINE",
        "QD_USE_FUSE_ENABLE_GARBAGE_COLLECTION", "QD_CLOUD_FUSE_GARBAGE_COLLECTION_MAX",
        "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST",
        "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "IDENTITY_SERVER_THUMBPRINT", "IMDS_ENDPOINT", "MSI_ENDPOINT", "MSI_SECRET", "AZURE_POD_IDENTITY_AUTHORITY_HOST",
    ];

    public static Process Start(IReadOnlyDictionary<string, string> environment, string workingDirectory, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "AzFuse.TestHelper.dll"));
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var name in s_cleared)
        {
            startInfo.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        return Process.Start(startInfo) ?? throw new InvalidOperationException("The helper did not start.");
    }

    /// <summary>Waits (bounded) for the helper and returns its exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> CompleteAsync(Process process, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The helper process did not finish in time.");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
