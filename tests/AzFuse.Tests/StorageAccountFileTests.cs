using AzFuse.Configuration;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests;

public sealed class StorageAccountFileTests : IDisposable
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly MountMapping s_mapping = new("data", "r", "/c", "acct", "/cfg/azfuse.yaml", 3);
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private StorageAccount Load(string yaml)
    {
        _temp.Write("acct.yaml", yaml);
        return new StorageAccountLoader(_temp.Path).Get("acct", s_mapping);
    }

    [Fact]
    public void Python_tool_account_file_with_null_sas_loads_and_defaults_to_the_public_endpoint()
    {
        var account = Load($"account_name: accountname\naccount_key: {Key}\nsas_token: null\ncontainer_name: containername\n");

        Assert.Equal("accountname", account.AccountName);
        Assert.Equal("containername", account.ContainerName);
        Assert.Equal(Key, account.AccountKey);
        Assert.Null(account.SasToken);
        Assert.Equal(new Uri("https://accountname.blob.core.windows.net"), account.Endpoint);
    }

    [Theory]
    [InlineData("'?sv=2021-08-06&sp=rl&sig=abc'")]
    [InlineData("'sv=2021-08-06&sp=rl&sig=abc'")]
    public void Sas_token_loads_with_or_without_its_leading_question_mark(string token)
    {
        var account = Load($"account_name: a\naccount_key: null\nsas_token: {token}\ncontainer_name: c\n");

        Assert.Equal("sv=2021-08-06&sp=rl&sig=abc", account.SasToken);
        Assert.Null(account.AccountKey);
    }

    [Fact]
    public void Endpoint_key_points_at_an_emulator()
    {
        var account = Load("account_name: devstoreaccount1\naccount_key: null\nsas_token: null\ncontainer_name: c\nendpoint: http://127.0.0.1:10000/devstoreaccount1/\n");

        Assert.Equal("http://127.0.0.1:10000/devstoreaccount1/c", account.ContainerUri.AbsoluteUri);
    }

    [Fact]
    public void Missing_container_is_named_with_file_and_line()
    {
        var ex = Assert.Throws<AzFuseConfigurationException>(() => Load("account_name: a\naccount_key: null\nsas_token: null\n"));

        Assert.Equal(Path.Combine(_temp.Path, "acct.yaml"), ex.FilePath);
        Assert.Equal(1, ex.Line);
        Assert.Contains("container_name", ex.Message);
    }

    [Fact]
    public void Missing_account_file_names_the_file_the_mapping_and_the_variable()
    {
        var ex = Assert.Throws<AzFuseConfigurationException>(() => new StorageAccountLoader(_temp.Path).Get("acct", s_mapping));

        Assert.Contains(Path.Combine(_temp.Path, "acct.yaml"), ex.Message);
        Assert.Contains("/cfg/azfuse.yaml:3", ex.Message);
        Assert.Contains("AZFUSE_STORAGE_ACCOUNT_CONFIG_FOLDER", ex.Message);
    }

    [Fact]
    public void Invalid_endpoint_is_rejected()
    {
        var ex = Assert.Throws<AzFuseConfigurationException>(() => Load("account_name: a\ncontainer_name: c\nendpoint: ftp://x\n"));

        Assert.Contains("endpoint", ex.Message);
    }

    [Fact]
    public void ToString_shows_no_secret()
    {
        var account = Load($"account_name: a\naccount_key: {Key}\nsas_token: '?sv=1&sig=SECRETSIGNATURE'\ncontainer_name: c\n");

        Assert.DoesNotContain(Key, account.ToString());
        Assert.DoesNotContain("SECRETSIGNATURE", account.ToString());
    }
}
