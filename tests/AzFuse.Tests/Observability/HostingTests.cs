using AzFuse.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AzFuse.Tests.Observability;

/// <summary>
/// AddAzFuse in a real host: options bound from configuration and validated at start, one client,
/// pending uploads resumed at start and queued ones uploaded at stop.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class HostingTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    [Fact]
    public async Task Options_bind_from_configuration_and_the_host_client_becomes_AzFile_Default()
    {
        using var host = Build(new()
        {
            ["AzFuse:TransferAttempts"] = "7",
            ["AzFuse:RetryBudget"] = "00:00:05",
            ["AzFuse:TransferEngine"] = "Http",
            ["AzFuse:MaxCacheSize"] = "1000000",
            ["AzFuse:requireCommit"] = "true",
        });
        await Sandbox.UploadAsync("h.txt", "hosted");

        await host.StartAsync();
        var client = host.Services.GetRequiredService<AzFuseClient>();
        var options = host.Services.GetRequiredService<IOptions<AzFuseOptions>>().Value;

        Assert.Same(client, host.Services.GetRequiredService<AzFuseClient>());
        Assert.Same(client, AzFile.Default);
        Assert.Equal(7, options.TransferAttempts);
        Assert.Equal(TimeSpan.FromSeconds(5), options.RetryBudget);
        Assert.Equal(AzFuseTransferEngine.Http, options.TransferEngine);
        Assert.Equal(1_000_000, options.MaxCacheSize);
        Assert.True(options.RequireCommit);
        Assert.Equal("hosted", client.ReadAllText("data/h.txt"));
        await host.StopAsync();
    }

    [Fact]
    public async Task Start_resumes_the_uploads_a_killed_process_left_pending()
    {
        await KillWriterWithUploadsQueuedAsync(3, "data/left");
        using var host = Build(new(), hosting => hosting.SetAzFileDefault = false);

        await host.StartAsync();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal($"content {i}", await Sandbox.DownloadTextAsync($"left/{i}.txt"));
        }

        await host.StopAsync();
    }

    [Fact]
    public async Task Stop_uploads_what_is_still_queued_before_it_returns()
    {
        var (held, release) = HoldAzCopy();
        using var host = Build(new() { ["AzFuse:TransferEngine"] = "AzCopy", ["AzFuse:AzCopyPath"] = held.AzCopyPath! }, hosting => hosting.SetAzFileDefault = false);
        await host.StartAsync();
        var client = host.Services.GetRequiredService<AzFuseClient>();
        var scope = client.AsyncUpload();
        client.WriteAllText("data/stop/1.txt", "one");
        client.WriteAllText("data/stop/2.txt", "two");

        var stop = host.StopAsync();
        await Task.Delay(200);
        Assert.False(stop.IsCompleted); // azcopy is held: the uploads cannot have finished
        File.WriteAllText(release, string.Empty);
        await stop.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal("one", await Sandbox.DownloadTextAsync("stop/1.txt"));
        Assert.Equal("two", await Sandbox.DownloadTextAsync("stop/2.txt"));
        scope.Dispose();
    }

    [Fact]
    public async Task Invalid_options_fail_the_start_with_a_message_naming_each_key()
    {
        using var host = Build(new()
        {
            ["AzFuse:TransferAttempts"] = "99",
            ["AzFuse:TransferAtempts"] = "3",
            ["AzFuse:RetryDelay"] = "soon",
            ["AzFuse:TransferEngine"] = "fast",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("AzFuse:TransferAttempts: '99' is not allowed: TransferAttempts must be between 1 and 50.", error.Message, StringComparison.Ordinal);
        Assert.Contains("AzFuse:TransferAtempts: not an AzFuse option", error.Message, StringComparison.Ordinal);
        Assert.Contains("AzFuse:RetryDelay: 'soon' is not a duration", error.Message, StringComparison.Ordinal);
        Assert.Contains("AzFuse:TransferEngine: 'fast' is not one of Auto, AzCopy, Http", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enabled_without_a_mapping_file_fails_the_start_naming_the_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzFuse:Enabled"] = "true" }).Build();
        using var host = new HostBuilder().ConfigureServices(services => services.AddAzFuse(configuration.GetSection("AzFuse"), h => h.SetAzFileDefault = false)).Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("AzFuse:MappingFile is not set, but AzFuse:Enabled is true", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A host configured like the sandbox, through an in-memory configuration with <paramref name="settings"/> on top.</summary>
    private IHost Build(Dictionary<string, string> settings, Action<Extensions.Hosting.AzFuseHostingOptions>? hosting = null)
    {
        var options = Sandbox.CreateOptions();
        var values = new Dictionary<string, string?>
        {
            ["AzFuse:Enabled"] = "true",
            ["AzFuse:MappingFile"] = options.MappingFile,
            ["AzFuse:StorageAccountFolder"] = options.StorageAccountFolder,
            ["AzFuse:AzCopyPath"] = options.AzCopyPath,
            ["AzFuse:StatsFolder"] = options.StatsFolder,
            ["AzFuse:RetryDelay"] = "00:00:00.050",
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return new HostBuilder()
            .ConfigureServices(services =>
            {
                services.AddAzFuse(configuration.GetSection("AzFuse"), hosting);

                // What configuration cannot carry: the test server's transport (HTTPS runs) and azcopy's certificate.
                services.Configure<AzFuseOptions>(o =>
                {
                    o.Transport = options.Transport;
                    foreach (var (name, value) in options.AzCopyEnvironment)
                    {
                        o.AzCopyEnvironment[name] = value;
                    }
                });
            })
            .Build();
    }
}
