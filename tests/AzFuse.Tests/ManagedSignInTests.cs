using System.Diagnostics;
using System.Security.Cryptography;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

/// <summary>
/// The sign-ins a storage account file names, run as an application runs them: in a process of
/// its own, configured by its environment. A managed-identity endpoint stand-in on loopback plays
/// the VM's (IMDS requests are sent to it too, so nothing ever goes to 169.254.169.254), and a
/// fake <c>az</c> plays an Azure CLI that nobody logged in to. A sign-in that cannot work fails
/// within seconds, with one message that names the file, the credential and what to do.
/// </summary>
[Collection(OAuthAzuriteCollection.Name)]
public sealed class ManagedSignInTests(OAuthAzuriteFixture fixture) : IAsyncLifetime
{
    // What the bound tells apart is a sign-in bounded by CredentialTimeout (10 s) from one left to the
    // Azure SDK's own retries, which go on for minutes. A child process's start on a loaded machine
    // took 15.2 s in all once (2 shared cores, load 20), so the bound leaves room for that.
    private static readonly TimeSpan s_fastFailure = TimeSpan.FromSeconds(45);

    private AzFuseSandbox _sandbox = null!;
    private ManagedIdentityEndpoint _identity = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await AzFuseSandbox.CreateAsync(fixture.Server, SandboxCredential.None);
        _identity = ManagedIdentityEndpoint.Start();
    }

    public async Task DisposeAsync()
    {
        await _identity.DisposeAsync();
        _sandbox.Dispose();
    }

    [Fact]
    public async Task Managed_identity_from_the_machines_endpoint_reads_a_blob()
    {
        var content = TestContent.For(1, 5000);
        await _sandbox.UploadAsync("mi.bin", content);
        _sandbox.WriteAccountFile("credential: managed_identity\n");

        var (exitCode, stdout, stderr, _) = await OpenInChildAsync("data/mi.bin");

        Assert.True(exitCode == 0, stderr);
        Assert.Equal($"{content.Length} {Convert.ToHexString(SHA256.HashData(content))}", stdout.Trim());
        Assert.True(_identity.IssuedCount >= 1);
        Assert.All(_identity.Requests, r => Assert.False(r.IsImds));
    }

    [Fact]
    public async Task A_user_assigned_managed_identity_asks_for_its_client_id()
    {
        await _sandbox.UploadAsync("ua.txt", "ua");
        _sandbox.WriteAccountFile("credential: managed_identity\nclient_id: 0aa1b2c3-d4e5-4f60-8a9b-0c1d2e3f4a5b\n");

        var (exitCode, _, stderr, _) = await OpenInChildAsync("data/ua.txt");

        Assert.True(exitCode == 0, stderr);
        Assert.Contains(_identity.Requests, r => r.ClientId == "0aa1b2c3-d4e5-4f60-8a9b-0c1d2e3f4a5b");
    }

    [Fact]
    public async Task Managed_identity_whose_endpoint_never_answers_fails_within_seconds_saying_what_to_do()
    {
        _identity.Mode = ManagedIdentityEndpointMode.NeverAnswer;
        _sandbox.WriteAccountFile("credential: managed_identity\n");

        var (exitCode, _, stderr, elapsed) = await OpenInChildAsync("data/any.txt");

        Assert.Equal(1, exitCode);
        Assert.True(elapsed < s_fastFailure, $"took {elapsed}");
        Assert.Contains("Could not sign in for '" + Path.Combine(_sandbox.AccountFolder, "azurite.yaml") + "'", stderr);
        Assert.Contains("managed identity (system-assigned)", stderr);
        Assert.Contains("Run where a managed identity is assigned", stderr);
    }

    [Fact]
    public async Task Azure_cli_without_az_login_fails_within_seconds_saying_to_log_in()
    {
        _sandbox.WriteAccountFile("credential: azure_cli\n");

        var (exitCode, _, stderr, elapsed) = await OpenInChildAsync("data/any.txt", withFakeAz: true);

        Assert.Equal(1, exitCode);
        Assert.True(elapsed < s_fastFailure, $"took {elapsed}");
        Assert.Contains("Azure CLI sign-in", stderr);
        Assert.Contains("az login", stderr);
    }

    [Fact]
    public async Task The_python_tools_default_credential_with_nothing_to_sign_in_with_fails_within_seconds_naming_each_try()
    {
        _identity.Mode = ManagedIdentityEndpointMode.NeverAnswer;
        _sandbox.WriteAccountFile("account_key: null\nsas_token: null\nuse_default_azure_cred: true\n");

        var (exitCode, _, stderr, elapsed) = await OpenInChildAsync("data/any.txt", withFakeAz: true);

        Assert.Equal(1, exitCode);
        Assert.True(elapsed < s_fastFailure, $"took {elapsed}");
        Assert.Contains("default Azure credential", stderr);
        Assert.Contains("EnvironmentCredential", stderr);
        Assert.Contains("ManagedIdentityCredential", stderr);
        Assert.Contains("AzureCliCredential", stderr);
    }

    [Fact]
    public async Task The_python_tools_default_credential_signs_in_with_the_machines_managed_identity()
    {
        await _sandbox.UploadAsync("env.txt", "env");
        _sandbox.WriteAccountFile("use_default_azure_cred: true\n");

        var (exitCode, stdout, stderr, _) = await OpenInChildAsync("data/env.txt");

        Assert.True(exitCode == 0, stderr);
        Assert.StartsWith("3 ", stdout, StringComparison.Ordinal);
        Assert.True(_identity.IssuedCount >= 1);
    }

    [Fact]
    public async Task The_default_credential_falls_through_a_silent_identity_endpoint_to_a_logged_in_azure_cli_quickly()
    {
        await _sandbox.UploadAsync("cli.txt", "cli");
        _identity.Mode = ManagedIdentityEndpointMode.NeverAnswer;
        _sandbox.WriteAccountFile("use_default_azure_cred: true\n");

        var (exitCode, stdout, stderr, elapsed) = await OpenInChildAsync("data/cli.txt", withFakeAz: true, azLoggedIn: true);

        Assert.True(exitCode == 0, stderr);
        Assert.StartsWith("3 ", stdout, StringComparison.Ordinal);
        Assert.True(elapsed < s_fastFailure, $"took {elapsed}");
    }

    /// <summary>
    /// Runs the test helper's <c>open</c> in a child configured by the sandbox, with the identity
    /// stand-in as the machine's managed-identity endpoint and, when asked, a fake <c>az</c> that
    /// says nobody is logged in. Returns its exit code, output and how long it ran.
    /// </summary>
    private async Task<(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)> OpenInChildAsync(string logicalPath, bool withFakeAz = false, bool azLoggedIn = false)
    {
        var environment = new Dictionary<string, string>(_sandbox.EnvironmentVariables);
        foreach (var (name, value) in _identity.EnvironmentVariables.Concat(_identity.ImdsEnvironmentVariables))
        {
            environment[name] = value;
        }

        if (withFakeAz)
        {
            var bin = Path.Combine(_sandbox.Root, "fake-az");
            Directory.CreateDirectory(bin);
            var az = Path.Combine(bin, "az");
            File.WriteAllText(az, azLoggedIn ? LoggedInAz() : "#!/bin/sh\necho \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1\n");
            File.SetUnixFileMode(az, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            environment["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH");
        }

        var watch = Stopwatch.StartNew();
        // (The child process pays for its own start-up and JIT within the measured time.)
        using var child = HelperProcess.Start(environment, _sandbox.Root, "open", logicalPath);
        var (exitCode, stdout, stderr) = await HelperProcess.CompleteAsync(child, TimeSpan.FromMinutes(2));
        return (exitCode, stdout, stderr, watch.Elapsed);
    }

    /// <summary>An <c>az</c> that answers <c>az account get-access-token</c> as a logged-in CLI does, with a token Azurite accepts.</summary>
    private static string LoggedInAz()
    {
        var expires = DateTimeOffset.UtcNow.AddHours(1);
        var token = AzuriteTokens.Create(DateTimeOffset.UtcNow, TimeSpan.FromHours(1));
        var json = $"{{\"accessToken\":\"{token}\",\"expiresOn\":\"{expires.LocalDateTime:yyyy-MM-dd HH:mm:ss.ffffff}\",\"expires_on\":{expires.ToUnixTimeSeconds()},\"tokenType\":\"Bearer\"}}";
        return $"#!/bin/sh\ncat <<'JSON'\n{json}\nJSON\n";
    }
}
