using System.Text.RegularExpressions;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Cli;

/// <summary>With a sas_token configured, nothing azfuse prints (even with --verbose) carries its signature.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CliSecretTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private AzFuseSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await AzFuseSandbox.CreateAsync(azurite.Server, SandboxCredential.SasToken);

    public Task DisposeAsync()
    {
        _sandbox.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Verbose_runs_and_their_errors_never_print_the_configured_sas_signature()
    {
        await _sandbox.UploadManyAsync(Enumerable.Range(0, 3).Select(i => ($"s/{i}.txt", new byte[10])));
        var signature = Uri.UnescapeDataString(Regex.Match(File.ReadAllText(Path.Combine(_sandbox.AccountFolder, "azurite.yaml")), "sig=([^&']+)").Groups[1].Value);
        var environment = new Dictionary<string, string>(_sandbox.EnvironmentVariables)
        {
            ["AZFUSE_TRANSFER_ENGINE"] = "azcopy", // azcopy's command line carries the SAS: its log line must not
            ["XDG_STATE_HOME"] = Path.Combine(_sandbox.Root, "state"),
        };

        var prepare = await CliProcess.RunAsync(environment, _sandbox.Root, null, "prepare", "data/s", "--verbose");
        var url = await CliProcess.RunAsync(environment, _sandbox.Root, null, "url", "data/s/0.txt", "--verbose"); // a read-write token cannot be shared
        var doctor = await CliProcess.RunAsync(environment, _sandbox.Root, null, "doctor", "--verbose");

        Assert.Equal(0, prepare.ExitCode);
        Assert.Contains("sig=REDACTED", prepare.Stderr, StringComparison.Ordinal); // the azcopy run was logged, redacted
        Assert.Equal(1, url.ExitCode);
        Assert.Contains("   at ", url.Stderr, StringComparison.Ordinal);
        foreach (var output in new[] { prepare, url, doctor }.SelectMany(r => new[] { r.Stdout, r.Stderr }))
        {
            Assert.DoesNotContain(signature, Uri.UnescapeDataString(output), StringComparison.Ordinal);
        }
    }
}
