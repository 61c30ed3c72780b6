using System.Diagnostics;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

/// <summary>
/// A storage account reached with Microsoft Entra ID only, end to end against Azurite over HTTPS
/// with OAuth: every operation, azcopy through a user-delegation SAS, tokens that expire, and the
/// failures a user must understand at once.
/// </summary>
[Collection(OAuthAzuriteCollection.Name)]
public sealed class EntraSignInTests(OAuthAzuriteFixture fixture) : IAsyncLifetime
{
    private AzFuseSandbox _sandbox = null!;
    private AzCopyCounter _azCopy = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await AzFuseSandbox.CreateAsync(fixture.Server, SandboxCredential.None);
        _azCopy = AzCopyCounter.Create(Path.Combine(_sandbox.Root, "counter"));
        _sandbox.AzCopyPath = _azCopy.ScriptPath;
    }

    public Task DisposeAsync()
    {
        _sandbox.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Reads_writes_scopes_an_azcopy_prepare_shared_urls_listing_and_delete_all_work_with_a_token()
    {
        await _sandbox.UploadAsync("a.txt", "signed in");
        await _sandbox.UploadManyAsync(Enumerable.Range(0, 12).Select(i => ($"many/{i}.bin", TestContent.For(i, 300))));
        var credential = new AzuriteTokenCredential();
        var options = _sandbox.CreateOptions();
        options.Credential = credential;
        var client = new AzFuseClient(options);
        var jobOptions = _sandbox.CreateOptions();
        jobOptions.Credential = credential;
        jobOptions.TransferEngine = AzFuseTransferEngine.AzCopy;
        var viaAzCopy = new AzFuseClient(jobOptions);

        Assert.Equal("signed in", client.ReadAllText("data/a.txt"));
        client.WriteAllText("data/w.txt", "written");
        using (client.AsyncUpload())
        {
            for (var i = 0; i < 3; i++)
            {
                client.WriteAllText($"data/scope/{i}.txt", $"scope {i}");
            }
        }

        viaAzCopy.Prepare(Enumerable.Range(0, 12).Select(i => $"data/many/{i}.bin"));
        using (viaAzCopy.AsyncUpload())
        {
            viaAzCopy.WriteAllText("data/job/0.txt", "job 0");
            viaAzCopy.WriteAllText("data/job/1.txt", "job 1");
        }

        var url = client.GetUrl("data/a.txt", TimeSpan.FromDays(2));
        using var http = new HttpClient(fixture.Server.Certificate!.CreateHttpMessageHandler());
        Assert.Equal("signed in", await http.GetStringAsync(url));
        Assert.Contains("skoid=", url.Query, StringComparison.Ordinal); // a user-delegation SAS
        var tooLong = Assert.Throws<ArgumentOutOfRangeException>(() => client.GetUrl("data/a.txt", TimeSpan.FromDays(8)));
        Assert.Contains("7 days", tooLong.Message);

        Assert.Equal(["data/a.txt", "data/w.txt"], client.List("data").Order());
        client.Delete("data/w.txt");

        Assert.Null(await _sandbox.DownloadAsync("w.txt"));
        Assert.Equal("scope 2", await _sandbox.DownloadTextAsync("scope/2.txt"));
        Assert.Equal("job 1", await _sandbox.DownloadTextAsync("job/1.txt"));
        for (var i = 0; i < 12; i++)
        {
            Assert.Equal(TestContent.For(i, 300), File.ReadAllBytes(_sandbox.CachePathOf($"many/{i}.bin")));
        }

        Assert.Contains("BlobLocal", _azCopy.Invocations); // the Prepare ran as one azcopy job, on a user-delegation SAS
        Assert.Contains(_azCopy.Invocations, i => i is "LocalBlob" or "PipeBlob"); // uploads through azcopy too (one job or a pipe each, as the queue fell)
        Assert.True(credential.IssuedCount >= 1);
    }

    [Fact]
    public async Task A_token_that_expires_during_a_run_is_replaced_without_a_failure()
    {
        await _sandbox.UploadManyAsync(Enumerable.Range(0, 4).Select(i => ($"t/{i}.txt", TestContent.For(i, 100))));
        var credential = new AzuriteTokenCredential(lifetime: TimeSpan.FromSeconds(2));
        var options = _sandbox.CreateOptions();
        options.Credential = credential;
        var client = new AzFuseClient(options);

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(TestContent.For(i, 100), client.ReadAllBytes($"data/t/{i}.txt"));
            client.WriteAllBytes($"data/t/out{i}.txt", TestContent.For(i, 100));
            await Task.Delay(TimeSpan.FromSeconds(2.5)); // the token in hand expires
        }

        Assert.True(credential.IssuedCount >= 4, $"{credential.IssuedCount} tokens for four expiries");
        Assert.Equal(TestContent.For(3, 100), await _sandbox.DownloadAsync("t/out3.txt"));
    }

    [Fact]
    public async Task VerifyCredential_gets_a_token_and_a_user_delegation_key()
    {
        var options = _sandbox.CreateOptions();
        options.Credential = new AzuriteTokenCredential();

        var outcome = await new AzFuseClient(options).VerifyCredentialAsync("azurite");

        Assert.Contains("Microsoft Entra ID token", outcome);
        Assert.Contains("user-delegation key", outcome);
    }

    [Fact]
    public void A_credential_that_cannot_sign_in_fails_once_with_one_message_naming_the_file_and_the_credential()
    {
        var credential = new AzuriteTokenCredential { Fails = true, FailureMessage = "AADSTS700016: Application not found in the directory." };
        var logs = new CapturingLoggerFactory();
        var options = _sandbox.CreateOptions();
        options.Credential = credential;

        var ex = Assert.Throws<AzFuseException>(() => new AzFuseClient(options, logs).Open("data/none.txt", FileMode.Open));

        Assert.Contains(Path.Combine(_sandbox.AccountFolder, "azurite.yaml"), ex.Message);
        Assert.Contains("TokenCredential", ex.Message);
        Assert.Contains("AADSTS700016", ex.Message);
        Assert.DoesNotContain(logs.Lines, l => l.Contains("[13]", StringComparison.Ordinal)); // not retried
        Assert.Equal(1, credential.RequestCount);
    }

    [Fact]
    public void An_untrusted_certificate_fails_at_once_and_says_so()
    {
        var logs = new CapturingLoggerFactory();
        var options = _sandbox.CreateOptions();
        options.Credential = new AzuriteTokenCredential();
        options.Transport = null; // the process's own trust store: the test certificate is not in it
        options.RetryBudget = TimeSpan.FromMinutes(5);
        var watch = Stopwatch.StartNew();

        var ex = Assert.Throws<AzFuseException>(() => new AzFuseClient(options, logs).Open("data/none.txt", FileMode.Open));

        Assert.Contains("certificate", ex.Message);
        Assert.Contains("not trusted", ex.Message);
        Assert.DoesNotContain(logs.Lines, l => l.Contains("[13]", StringComparison.Ordinal));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
    }

    [Fact]
    public void A_token_credential_over_plain_http_is_a_configuration_error_naming_the_file()
    {
        File.WriteAllText(Path.Combine(_sandbox.AccountFolder, "azurite.yaml"),
            $"account_name: {AzuriteServer.AccountName}\ncontainer_name: {_sandbox.ContainerName}\nendpoint: http://127.0.0.1:{fixture.Server.Port}/{AzuriteServer.AccountName}\ncredential: azure_cli\n");

        var ex = Assert.Throws<AzFuseConfigurationException>(() => _sandbox.CreateClient().Open("data/a.txt", FileMode.Open));

        Assert.Contains("https", ex.Message);
        Assert.Contains("azurite.yaml", ex.Message);
    }
}
