using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

/// <summary>GetMappings and LocateAzCopy: what tools such as 'azfuse doctor' check.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ConfigurationInfoTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    [Fact]
    public void GetMappings_describes_each_mapping_without_secrets_and_reports_a_bad_storage_account_file()
    {
        var client = Sandbox.CreateClient();

        var mapping = Assert.Single(client.GetMappings());

        Assert.Equal(("data", "azfuse_data", Sandbox.CacheRoot, "azurite"), (mapping.Local, mapping.Remote, mapping.CacheFolder, mapping.StorageAccount));
        Assert.Equal($"{Server.Endpoint.AbsoluteUri.TrimEnd('/')}/{Sandbox.ContainerName}", mapping.ContainerUri.AbsoluteUri);
        Assert.Empty(new AzFuseClient(new AzFuseOptions { Enabled = false }).GetMappings());

        File.WriteAllText(Path.Combine(Sandbox.AccountFolder, "azurite.yaml"), "account_name: x\n");
        var ex = Assert.Throws<AzFuseConfigurationException>(() => client.GetMappings());
        Assert.Contains("azurite.yaml", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LocateAzCopy_finds_the_configured_binary_or_says_where_it_looked()
    {
        Assert.Equal(Path.GetFullPath(RepositoryTools.AzCopy), new AzFuseClient(new AzFuseOptions { AzCopyPath = RepositoryTools.AzCopy }).LocateAzCopy());

        var missing = Path.Combine(Sandbox.Root, "no-azcopy");
        var ex = Assert.Throws<AzCopyNotFoundException>(() => new AzFuseClient(new AzFuseOptions { AzCopyPath = missing }).LocateAzCopy());
        Assert.Equal([missing], ex.SearchedLocations);
    }
}
