using System.Diagnostics;
using System.Net;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;
using AzFuse.Transfer;
using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;

namespace AzFuse.Tests;

/// <summary>One Azurite over HTTPS with <c>--oauth basic</c> and its own self-signed certificate.</summary>
public sealed class OAuthAzuriteFixture : IAsyncLifetime
{
    private AzuriteServer? _server;

    public AzuriteServer Server => _server ?? throw new InvalidOperationException("Azurite has not started.");

    public async Task InitializeAsync() => _server = await AzuriteServer.StartWithOAuthAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class OAuthAzuriteCollection : ICollectionFixture<OAuthAzuriteFixture>
{
    public const string Name = "Azurite over HTTPS with OAuth";
}

/// <summary>
/// The test infrastructure for Entra ID sign-in, checked against the real Azurite and azcopy:
/// bearer tokens over HTTPS, user-delegation SAS, azcopy trusting the certificate, and the
/// exceptions Azure.Storage.Blobs throws when signing in, a SAS or TLS fails.
/// </summary>
[Collection(OAuthAzuriteCollection.Name)]
public sealed class EntraInfrastructureTests(OAuthAzuriteFixture fixture)
{
    private static readonly TimeSpan s_azCopyLimit = TimeSpan.FromSeconds(60);

    private AzuriteServer Server => fixture.Server;

    [Fact]
    public async Task Bearer_token_client_creates_uploads_downloads_lists_and_deletes_over_https()
    {
        var credential = new AzuriteTokenCredential();
        var container = Service(credential).GetBlobContainerClient(NewContainerName());

        await container.CreateAsync();
        await container.GetBlobClient("a/b.txt").UploadAsync(BinaryData.FromString("hello"));
        var download = await container.GetBlobClient("a/b.txt").DownloadStreamingAsync();
        using (var reader = new StreamReader(download.Value.Content))
        {
            Assert.Equal("hello", await reader.ReadToEndAsync());
        }

        Assert.Equal(["a/b.txt"], await NamesAsync(container));
        await container.GetBlobClient("a/b.txt").DeleteAsync();
        Assert.False(await container.GetBlobClient("a/b.txt").ExistsAsync());
        await container.DeleteAsync();

        Assert.Equal(1, credential.IssuedCount); // one token, valid for an hour, serves every request
        Assert.Equal(["https://storage.azure.com/.default"], credential.Requests[0].Scopes);
    }

    [Fact]
    public async Task User_delegation_key_needs_a_start_time_and_carries_the_token_identity()
    {
        var service = Service(new AzuriteTokenCredential());
        var now = DateTimeOffset.UtcNow;

        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => service.GetUserDelegationKeyAsync(new BlobGetUserDelegationKeyOptions(now.AddHours(1))));
        var key = (await service.GetUserDelegationKeyAsync(new BlobGetUserDelegationKeyOptions(now.AddHours(1)) { StartsOn = now.AddMinutes(-1) })).Value;

        Assert.Equal(400, refused.Status); // Azurite: 400 with no body and no error code
        Assert.Equal(AzuriteTokens.DefaultObjectId.ToString(), key.SignedObjectId);
        Assert.Equal(AzuriteTokens.DefaultTenantId.ToString(), key.SignedTenantId);
    }

    [Fact]
    public async Task User_delegation_sas_is_accepted_for_blob_read_container_list_and_read_and_write()
    {
        var service = Service(new AzuriteTokenCredential());
        var name = NewContainerName();
        var container = service.GetBlobContainerClient(name);
        await container.CreateAsync();
        await container.GetBlobClient("a.txt").UploadAsync(BinaryData.FromString("a"));
        var key = await DelegationKeyAsync(service);

        var blobSas = Sign(key, new BlobSasBuilder(BlobSasPermissions.Read, DateTimeOffset.UtcNow.AddHours(1)) { BlobContainerName = name, BlobName = "a.txt", Resource = "b" });
        var readOnly = Sign(key, new BlobSasBuilder(BlobContainerSasPermissions.List | BlobContainerSasPermissions.Read, DateTimeOffset.UtcNow.AddHours(1)) { BlobContainerName = name, Resource = "c" });
        var writeOnly = Sign(key, new BlobSasBuilder(BlobContainerSasPermissions.Create | BlobContainerSasPermissions.Write, DateTimeOffset.UtcNow.AddHours(1)) { BlobContainerName = name, Resource = "c" });

        var blob = new BlobClient(new Uri($"{Server.Endpoint}/{name}/a.txt?{blobSas}"), Options());
        Assert.Equal("a", (await blob.DownloadContentAsync()).Value.Content.ToString());

        var lister = new BlobContainerClient(new Uri($"{Server.Endpoint}/{name}?{readOnly}"), Options());
        Assert.Equal(["a.txt"], await NamesAsync(lister));
        Assert.Equal("a", (await lister.GetBlobClient("a.txt").DownloadContentAsync()).Value.Content.ToString());

        var writer = new BlobContainerClient(new Uri($"{Server.Endpoint}/{name}?{writeOnly}"), Options());
        await writer.GetBlobClient("w.txt").UploadAsync(BinaryData.FromString("w"));
        Assert.Equal("w", (await container.GetBlobClient("w.txt").DownloadContentAsync()).Value.Content.ToString());

        // And each is held to its permissions.
        Assert.Equal(403, (await Assert.ThrowsAsync<RequestFailedException>(() => lister.GetBlobClient("x.txt").UploadAsync(BinaryData.FromString("x")))).Status);
        Assert.Equal(403, (await Assert.ThrowsAsync<RequestFailedException>(() => NamesAsync(writer))).Status);
    }

    [Fact]
    public async Task Expired_user_delegation_sas_is_refused_with_403_AuthorizationFailure()
    {
        var service = Service(new AzuriteTokenCredential());
        var name = NewContainerName();
        await service.GetBlobContainerClient(name).CreateAsync();
        await service.GetBlobContainerClient(name).GetBlobClient("a.txt").UploadAsync(BinaryData.FromString("a"));
        var sas = Sign(await DelegationKeyAsync(service), new BlobSasBuilder(BlobSasPermissions.Read, DateTimeOffset.UtcNow.AddSeconds(-1))
        {
            BlobContainerName = name,
            BlobName = "a.txt",
            Resource = "b",
            StartsOn = DateTimeOffset.UtcNow.AddMinutes(-5),
        });
        var blob = new BlobClient(new Uri($"{Server.Endpoint}/{name}/a.txt?{sas}"), Options());

        var get = await Assert.ThrowsAsync<RequestFailedException>(() => blob.DownloadStreamingAsync());
        var head = await Assert.ThrowsAsync<RequestFailedException>(() => blob.GetPropertiesAsync());

        // Azurite says AuthorizationFailure; Azure Storage says AuthenticationFailed ("Signed expiry
        // time ... must be after signed start time" / "Signature not valid in the specified time frame").
        Assert.Equal((403, "AuthorizationFailure"), (get.Status, get.ErrorCode));
        Assert.Equal((403, "AuthorizationFailure"), (head.Status, head.ErrorCode));
        Assert.StartsWith("Server failed to authenticate the request.", get.Message, StringComparison.Ordinal);
        Assert.StartsWith("Service request failed.", head.Message, StringComparison.Ordinal); // a HEAD has no body to quote
    }

    [Fact]
    public async Task Failing_credential_surfaces_as_AuthenticationFailedException_and_is_not_retried()
    {
        var failing = new AzuriteTokenCredential { Fails = true };
        var options = Options(maxRetries: 3);
        var blob = new BlobServiceClient(Server.Endpoint, failing, options).GetBlobContainerClient("any").GetBlobClient("a.txt");

        var thrown = await Assert.ThrowsAsync<AuthenticationFailedException>(() => blob.DownloadStreamingAsync());

        Assert.Equal(failing.FailureMessage, thrown.Message); // not wrapped in a RequestFailedException
        Assert.Equal(1, failing.RequestCount);
    }

    [Fact]
    public async Task A_client_holding_a_valid_token_does_not_notice_its_credential_start_failing()
    {
        var credential = new AzuriteTokenCredential();
        var container = Service(credential).GetBlobContainerClient(NewContainerName());
        await container.CreateAsync();

        credential.Fails = true;
        await container.GetPropertiesAsync();

        Assert.Equal(1, credential.RequestCount);
    }

    [Fact]
    public async Task A_token_within_five_minutes_of_expiry_is_fetched_again_for_every_request()
    {
        var shortLived = new AzuriteTokenCredential(TimeSpan.FromMinutes(4));
        var longLived = new AzuriteTokenCredential(TimeSpan.FromMinutes(6));
        var first = Service(shortLived).GetBlobContainerClient(NewContainerName());
        var second = Service(longLived).GetBlobContainerClient(NewContainerName());

        for (var i = 0; i < 3; i++)
        {
            await first.ExistsAsync();
            await second.ExistsAsync();
        }

        // Azure.Core renews a token from 5 minutes before its expiry.
        Assert.Equal(3, shortLived.IssuedCount);
        Assert.Equal(1, longLived.IssuedCount);
    }

    [Fact]
    public async Task Azurite_refuses_an_expired_token_with_403_AuthenticationFailed()
    {
        var expired = new AzuriteTokenCredential(TimeSpan.FromSeconds(-1)); // exp already passed; Azurite allows no clock skew

        var thrown = await Assert.ThrowsAsync<RequestFailedException>(
            () => Service(expired).GetBlobContainerClient("any").GetBlobClient("a.txt").DownloadStreamingAsync());

        Assert.Equal((403, "AuthenticationFailed"), (thrown.Status, thrown.ErrorCode));
        Assert.Contains("Lifetime validation failed. The token is expired.", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Untrusted_certificate_fails_with_an_AuthenticationException_inside_RequestFailedException()
    {
        var options = new BlobClientOptions(AzuriteServer.ServiceVersion); // the default transport: the system's roots only
        options.Retry.MaxRetries = 0;
        var blob = new BlobServiceClient(Server.Endpoint, new AzuriteTokenCredential(), options).GetBlobContainerClient("any").GetBlobClient("a.txt");

        var once = await Assert.ThrowsAsync<RequestFailedException>(() => blob.GetPropertiesAsync());
        options.Retry.MaxRetries = 1;
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        var retried = await Assert.ThrowsAsync<AggregateException>(
            () => new BlobServiceClient(Server.Endpoint, new AzuriteTokenCredential(), options).GetBlobContainerClient("any").GetBlobClient("a.txt").GetPropertiesAsync());

        Assert.Equal(0, once.Status);
        var http = Assert.IsType<HttpRequestException>(once.InnerException);
        var tls = Assert.IsType<AuthenticationException>(http.InnerException);
        Assert.Equal("The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot", tls.Message);
        // With retries the same failure arrives as "Retry failed after N tries" around N RequestFailedExceptions.
        Assert.StartsWith("Retry failed after 2 tries.", retried.Message, StringComparison.Ordinal);
        Assert.All(retried.InnerExceptions, e => Assert.IsType<AuthenticationException>(e.InnerException?.InnerException));
    }

    [Fact]
    public void Bearer_tokens_over_http_are_refused_when_the_client_is_made()
    {
        var thrown = Assert.Throws<ArgumentException>(() => new BlobServiceClient(new Uri("http://127.0.0.1:9/devstoreaccount1"), new AzuriteTokenCredential()));

        Assert.Equal("Cannot use TokenCredential without HTTPS.", thrown.Message);
    }

    [Fact]
    public async Task Azcopy_downloads_by_pipe_and_by_job_over_https_when_SSL_CERT_FILE_names_the_certificate()
    {
        using var temp = new TempFolder();
        var (name, sas) = await ContainerWithSasAsync(BlobContainerSasPermissions.Read | BlobContainerSasPermissions.List, ("a.txt", "alpha"), ("dir/b.txt", "beta"), ("c.txt", "not listed"));
        var environment = Server.Certificate!.AzCopyEnvironment;

        // The library's own command lines (Transfer/AzCopyArguments), plus --skip-version-check.
        var pipe = await AzCopyProcess.RunAsync(
            AzCopyArguments.PipeDownload(new Uri($"{Server.Endpoint}/{name}/dir/b.txt?{sas}")), environment, temp.Path, s_azCopyLimit);
        var list = temp.Write("list.txt", "a.txt\ndir/b.txt\n");
        var job = await AzCopyProcess.RunAsync(
            AzCopyArguments.JobDownload(new Uri($"{Server.Endpoint}/{name}?{sas}"), Path.Combine(temp.Path, "out"), list), environment, temp.Path, s_azCopyLimit);

        Assert.True(pipe.ExitCode == 0, pipe.Stderr);
        Assert.Equal("beta", Encoding.UTF8.GetString(pipe.Stdout));
        Assert.True(job.ExitCode == 0, Encoding.UTF8.GetString(job.Stdout));
        Assert.Equal("alpha", File.ReadAllText(Path.Combine(temp.Path, "out", "a.txt")));
        Assert.Equal("beta", File.ReadAllText(Path.Combine(temp.Path, "out", "dir", "b.txt")));
        Assert.False(File.Exists(Path.Combine(temp.Path, "out", "c.txt")));
    }

    [Fact]
    public async Task Azcopy_uploads_by_pipe_and_by_job_over_https_when_SSL_CERT_FILE_names_the_certificate()
    {
        using var temp = new TempFolder();
        var (name, sas) = await ContainerWithSasAsync(BlobContainerSasPermissions.Create | BlobContainerSasPermissions.Write);
        var environment = Server.Certificate!.AzCopyEnvironment;
        temp.Write("up/x.txt", "ex");
        temp.Write("up/sub/y.txt", "why");

        var pipe = await AzCopyProcess.RunAsync(
            AzCopyArguments.PipeUpload(new Uri($"{Server.Endpoint}/{name}/piped.txt?{sas}"), "text/plain"), environment, temp.Path, s_azCopyLimit, Encoding.UTF8.GetBytes("from stdin"));
        var job = await AzCopyProcess.RunAsync(
            AzCopyArguments.JobUpload(Path.Combine(temp.Path, "up"), new Uri($"{Server.Endpoint}/{name}?{sas}")), environment, temp.Path, s_azCopyLimit);

        Assert.True(pipe.ExitCode == 0, pipe.Stderr);
        Assert.True(job.ExitCode == 0, Encoding.UTF8.GetString(job.Stdout));
        var container = Service(new AzuriteTokenCredential()).GetBlobContainerClient(name);
        Assert.Equal(["piped.txt", "sub/y.txt", "x.txt"], (await NamesAsync(container)).Order(StringComparer.Ordinal));
        Assert.Equal("from stdin", (await container.GetBlobClient("piped.txt").DownloadContentAsync()).Value.Content.ToString());
        Assert.Equal("why", (await container.GetBlobClient("sub/y.txt").DownloadContentAsync()).Value.Content.ToString());
        Assert.NotNull((await container.GetBlobClient("piped.txt").GetPropertiesAsync()).Value.ContentHash); // --put-md5
    }

    [Fact]
    public async Task Azcopy_that_does_not_trust_the_certificate_retries_and_a_job_outlives_SIGTERM_while_a_pipe_exits()
    {
        using var temp = new TempFolder();
        var (name, sas) = await ContainerWithSasAsync(BlobContainerSasPermissions.Read | BlobContainerSasPermissions.List, ("a.txt", "a"));
        using var job = StartUntrustingAzCopy(temp.Path, "copy", $"{Server.Endpoint}/{name}?{sas}", Path.Combine(temp.Path, "out"), "--from-to", "BlobLocal", "--recursive", "--output-type", "json");
        using var pipe = StartUntrustingAzCopy(temp.Path, "copy", $"{Server.Endpoint}/{name}/a.txt?{sas}", "--from-to", "BlobPipe");
        try
        {
            var exitedBeforeTerm = job.WaitForExit(TimeSpan.FromSeconds(4)) | pipe.WaitForExit(TimeSpan.Zero);
            SendSigterm(job);
            SendSigterm(pipe);
            var pipeExitedAfterTerm = pipe.WaitForExit(TimeSpan.FromSeconds(3));
            var jobExitedAfterTerm = job.WaitForExit(TimeSpan.FromSeconds(3));

            Assert.False(exitedBeforeTerm); // TLS failures are retried, not reported
            Assert.True(pipeExitedAfterTerm);
            Assert.Equal(1, pipe.ExitCode);
            Assert.False(jobExitedAfterTerm); // it prints a "Cancel" prompt (y/n) and waits, stdin closed or not
        }
        finally
        {
            foreach (var process in new[] { job, pipe })
            {
                process.Kill(entireProcessTree: true); // SIGKILL
                await process.WaitForExitAsync();
            }
        }

        Assert.Equal(137, job.ExitCode);
    }

    [Fact]
    public async Task Managed_identity_endpoint_speaks_the_App_Service_protocol_with_tokens_Azurite_accepts()
    {
        await using var endpoint = ManagedIdentityEndpoint.Start();
        using var http = new HttpClient();

        using var answered = await http.SendAsync(TokenRequest(endpoint, endpoint.Secret));
        using var unauthorized = await http.SendAsync(TokenRequest(endpoint, "wrong"));

        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        var json = JsonDocument.Parse(await answered.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.Equal("https://storage.azure.com", json.GetProperty("resource").GetString());
        Assert.Equal("client-1", json.GetProperty("client_id").GetString());
        var expiresOn = DateTimeOffset.FromUnixTimeSeconds(long.Parse(json.GetProperty("expires_on").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(expiresOn - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
        var token = json.GetProperty("access_token").GetString()!;
        var fromEndpoint = DelegatedTokenCredential.Create((_, _) => new AccessToken(token, expiresOn));
        await Service(fromEndpoint).GetBlobContainerClient(NewContainerName()).CreateAsync();
        Assert.Equal(["2019-08-01", "2019-08-01"], endpoint.Requests.Select(r => r.ApiVersion));
        Assert.Equal([true, false], endpoint.Requests.Select(r => r.SecretMatched));
    }

    [Fact]
    public async Task Managed_identity_endpoint_in_NeverAnswer_mode_accepts_the_connection_and_stays_silent()
    {
        await using var endpoint = ManagedIdentityEndpoint.Start(ManagedIdentityEndpointMode.NeverAnswer);
        using var http = new HttpClient { Timeout = TimeSpan.FromMilliseconds(500) };

        await Assert.ThrowsAsync<TaskCanceledException>(() => http.SendAsync(TokenRequest(endpoint, endpoint.Secret)));

        Assert.Equal(1, endpoint.ConnectionCount);
        Assert.Single(endpoint.Requests);
        Assert.Equal(0, endpoint.IssuedCount);
    }

    private static HttpRequestMessage TokenRequest(ManagedIdentityEndpoint endpoint, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"{endpoint.Endpoint}?api-version=2019-08-01&resource=https%3A%2F%2Fstorage.azure.com&client_id=client-1");
        request.Headers.Add(ManagedIdentityEndpoint.SecretHeader, secret);
        return request;
    }

    /// <summary>azcopy without SSL_CERT_FILE, so it cannot verify Azurite's certificate; output is drained and dropped.</summary>
    private static Process StartUntrustingAzCopy(string workFolder, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(RepositoryTools.AzCopy) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments.Append("--skip-version-check"))
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment.Remove("SSL_CERT_FILE");
        startInfo.Environment["AZCOPY_JOB_PLAN_LOCATION"] = startInfo.Environment["AZCOPY_LOG_LOCATION"] = workFolder;
        var process = Process.Start(startInfo)!;
        process.StandardInput.Close();
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    private static void SendSigterm(Process process)
    {
        using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    private BlobClientOptions Options(int maxRetries = 0)
    {
        var options = Server.CreateBlobClientOptions();
        options.Retry.MaxRetries = maxRetries;
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        return options;
    }

    private BlobServiceClient Service(TokenCredential credential) => new(Server.Endpoint, credential, Options());

    private static string NewContainerName() => $"entra-{Guid.NewGuid():N}";

    private static async Task<List<string>> NamesAsync(BlobContainerClient container)
    {
        var names = new List<string>();
        await foreach (var item in container.GetBlobsAsync())
        {
            names.Add(item.Name);
        }

        return names;
    }

    private static async Task<UserDelegationKey> DelegationKeyAsync(BlobServiceClient service)
    {
        var now = DateTimeOffset.UtcNow;
        return (await service.GetUserDelegationKeyAsync(new BlobGetUserDelegationKeyOptions(now.AddHours(1)) { StartsOn = now.AddMinutes(-5) })).Value;
    }

    private static string Sign(UserDelegationKey key, BlobSasBuilder builder)
    {
        builder.StartsOn = builder.StartsOn == default ? DateTimeOffset.UtcNow.AddMinutes(-1) : builder.StartsOn;
        return builder.ToSasQueryParameters(key, AzuriteServer.AccountName).ToString();
    }

    /// <summary>A new container holding <paramref name="blobs"/>, and a user-delegation SAS for it.</summary>
    private async Task<(string Name, string Sas)> ContainerWithSasAsync(BlobContainerSasPermissions permissions, params (string Name, string Content)[] blobs)
    {
        var service = Service(new AzuriteTokenCredential());
        var name = NewContainerName();
        var container = service.GetBlobContainerClient(name);
        await container.CreateAsync();
        foreach (var (blob, content) in blobs)
        {
            await container.GetBlobClient(blob).UploadAsync(BinaryData.FromString(content));
        }

        var sas = Sign(await DelegationKeyAsync(service), new BlobSasBuilder(permissions, DateTimeOffset.UtcNow.AddHours(1)) { BlobContainerName = name, Resource = "c" });
        return (name, sas);
    }
}

/// <summary>
/// Tests that change process-wide environment variables. They run alone, after every parallel
/// collection, so that no other test sees the variables (or runs a credential while they change).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "Process environment (runs alone)";
}

/// <summary>
/// Azure.Identity's ManagedIdentityCredential against <see cref="ManagedIdentityEndpoint"/>,
/// in-process. Safe only because the collection runs alone and each test uses its own client id:
/// the credential reads IDENTITY_ENDPOINT at its first token, and MSAL caches managed-identity
/// tokens process-wide (per identity and resource), across credential instances. Every test also
/// sets AZURE_POD_IDENTITY_AUTHORITY_HOST to loopback, so that a credential that misses
/// IDENTITY_ENDPOINT probes the stand-in, never 169.254.169.254.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class ManagedIdentityStandInTests(OAuthAzuriteFixture fixture) : IClassFixture<OAuthAzuriteFixture>
{
    private static readonly TokenRequestContext s_storage = new(["https://storage.azure.com/.default"]);

    [Fact]
    public async Task ManagedIdentityCredential_reads_IDENTITY_ENDPOINT_at_its_first_token_not_when_constructed()
    {
        await using var atConstruction = ManagedIdentityEndpoint.Start();
        await using var atFirstToken = ManagedIdentityEndpoint.Start();
        using var environment = new EnvironmentScope(atConstruction);
        var credential = new ManagedIdentityCredential(NewIdentity());

        environment.PointAt(atFirstToken);
        await credential.GetTokenAsync(s_storage, default);

        Assert.Empty(atConstruction.Requests);
        Assert.Single(atFirstToken.Requests);
    }

    [Fact]
    public async Task ManagedIdentityCredential_tokens_are_cached_process_wide_per_identity_and_work_against_Azurite()
    {
        await using var endpoint = ManagedIdentityEndpoint.Start();
        using var environment = new EnvironmentScope(endpoint);
        var clientId = Guid.NewGuid().ToString();
        var identity = NewIdentity(clientId);

        var first = new ManagedIdentityCredential(identity);
        await new BlobServiceClient(fixture.Server.Endpoint, first, fixture.Server.CreateBlobClientOptions()).GetBlobContainerClient($"mi-{Guid.NewGuid():N}").CreateAsync();
        await new ManagedIdentityCredential(identity).GetTokenAsync(s_storage, default); // another instance: served from MSAL's cache
        await new ManagedIdentityCredential(NewIdentity()).GetTokenAsync(s_storage, default); // another identity: asks again

        Assert.Equal(2, endpoint.IssuedCount);
        var request = endpoint.Requests[0];
        Assert.Equal(("/msi/token", "2019-08-01", "https://storage.azure.com", true), (request.Path, request.ApiVersion, request.Resource, request.SecretMatched));
        Assert.Equal(clientId, request.ClientId);
    }

    [Fact]
    public async Task A_hanging_endpoint_costs_six_tries_of_NetworkTimeout_plus_the_retry_delays_whatever_MaxRetries_says()
    {
        await using var endpoint = ManagedIdentityEndpoint.Start(ManagedIdentityEndpointMode.NeverAnswer);
        using var environment = new EnvironmentScope(endpoint);
        var options = NewIdentity();
        options.Retry.NetworkTimeout = TimeSpan.FromMilliseconds(500);
        options.Retry.MaxRetries = 1;
        options.Retry.Delay = TimeSpan.FromMilliseconds(20);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(50);
        var watch = Stopwatch.StartNew();

        var thrown = await Assert.ThrowsAsync<AuthenticationFailedException>(() => new ManagedIdentityCredential(options).GetTokenAsync(s_storage, default).AsTask());

        Assert.Equal(6, endpoint.ConnectionCount);

        // At least the six timeouts; at most a bound far under what the default NetworkTimeout (100 s
        // a try) would cost, and wide enough for a loaded 2-core machine.
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(60));
        Assert.Contains("Retry failed after 6 tries.", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancellation_token_bounds_a_hanging_endpoint_and_surfaces_as_cancellation()
    {
        await using var endpoint = ManagedIdentityEndpoint.Start(ManagedIdentityEndpointMode.NeverAnswer);
        using var environment = new EnvironmentScope(endpoint);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new ManagedIdentityCredential(NewIdentity()).GetTokenAsync(s_storage, limit.Token).AsTask());

        // Ended by the token, not by the tries (six of 100 s each by default): the upper bound is only a
        // hang bound, wide enough for a loaded 2-core machine.
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task ChainedTokenCredential_falls_through_when_the_endpoint_refuses_but_not_when_it_hangs()
    {
        await using var hanging = ManagedIdentityEndpoint.Start(ManagedIdentityEndpointMode.NeverAnswer);
        var refusedPort = hanging.Endpoint.Port;
        await hanging.DisposeAsync(); // now nothing listens there: connections are refused
        await using var silent = ManagedIdentityEndpoint.Start(ManagedIdentityEndpointMode.NeverAnswer);
        using var environment = new EnvironmentScope(silent);
        var fallback = new AzuriteTokenCredential();

        environment.Set("IDENTITY_ENDPOINT", $"http://127.0.0.1:{refusedPort}/msi/token");
        var fellThrough = await new ChainedTokenCredential(new ManagedIdentityCredential(Quick(NewIdentity())), fallback).GetTokenAsync(s_storage, default);
        environment.PointAt(silent);
        var stopped = await Assert.ThrowsAsync<AuthenticationFailedException>(
            () => new ChainedTokenCredential(new ManagedIdentityCredential(Quick(NewIdentity())), fallback).GetTokenAsync(s_storage, default).AsTask());

        Assert.Equal(1, fallback.IssuedCount); // the refused endpoint was "unavailable": the chain went on
        Assert.StartsWith("The ChainedTokenCredential failed due to an unhandled exception", stopped.Message, StringComparison.Ordinal);
        Assert.Equal(1, fallback.RequestCount); // the hanging one "failed": the chain stopped there
    }

    [Fact]
    public async Task DefaultAzureCredential_takes_the_App_Service_endpoint_and_with_none_probes_IMDS_where_AZURE_POD_IDENTITY_AUTHORITY_HOST_points()
    {
        await using var appService = ManagedIdentityEndpoint.Start();
        await using var imds = ManagedIdentityEndpoint.Start();
        using var environment = new EnvironmentScope(appService);
        environment.Set("AZURE_POD_IDENTITY_AUTHORITY_HOST", imds.ImdsEnvironmentVariables["AZURE_POD_IDENTITY_AUTHORITY_HOST"]);

        await new DefaultAzureCredential(DefaultOptions()).GetTokenAsync(s_storage, default);
        environment.Set("IDENTITY_ENDPOINT", null);
        environment.Set("IDENTITY_HEADER", null);
        await new DefaultAzureCredential(DefaultOptions()).GetTokenAsync(s_storage, default);

        Assert.Equal(1, appService.IssuedCount);
        Assert.Equal(1, imds.IssuedCount);
        Assert.All(imds.Requests, r => Assert.True(r.IsImds));
    }

    private static ManagedIdentityCredentialOptions NewIdentity(string? clientId = null) =>
        new(ManagedIdentityId.FromUserAssignedClientId(clientId ?? Guid.NewGuid().ToString())); // its own entry in MSAL's process-wide cache

    private static ManagedIdentityCredentialOptions Quick(ManagedIdentityCredentialOptions options)
    {
        options.Retry.NetworkTimeout = TimeSpan.FromMilliseconds(300);
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(20);
        return options;
    }

    private static DefaultAzureCredentialOptions DefaultOptions() => new()
    {
        // Only managed identity and the developer tools (none installed): nothing may reach Entra ID.
        ExcludeEnvironmentCredential = true,
        ExcludeWorkloadIdentityCredential = true,
        ManagedIdentityClientId = Guid.NewGuid().ToString(),
    };

    /// <summary>Sets IDENTITY_ENDPOINT, IDENTITY_HEADER and AZURE_POD_IDENTITY_AUTHORITY_HOST; restores all three when disposed.</summary>
    private sealed class EnvironmentScope : IDisposable
    {
        private static readonly string[] s_names = ["IDENTITY_ENDPOINT", "IDENTITY_HEADER", "AZURE_POD_IDENTITY_AUTHORITY_HOST", "IDENTITY_SERVER_THUMBPRINT", "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT"];
        private readonly Dictionary<string, string?> _saved = s_names.ToDictionary(n => n, Environment.GetEnvironmentVariable);

        public EnvironmentScope(ManagedIdentityEndpoint endpoint)
        {
            foreach (var name in s_names)
            {
                Environment.SetEnvironmentVariable(name, null);
            }

            PointAt(endpoint);
            Set("AZURE_POD_IDENTITY_AUTHORITY_HOST", endpoint.ImdsEnvironmentVariables["AZURE_POD_IDENTITY_AUTHORITY_HOST"]);
        }

        public void PointAt(ManagedIdentityEndpoint endpoint)
        {
            foreach (var (name, value) in endpoint.EnvironmentVariables)
            {
                Set(name, value);
            }
        }

        public void Set(string name, string? value) => Environment.SetEnvironmentVariable(name, value);

        public void Dispose()
        {
            foreach (var (name, value) in _saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
