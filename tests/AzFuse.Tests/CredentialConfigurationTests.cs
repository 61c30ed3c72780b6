using AzFuse.Configuration;
using AzFuse.Tests.Infrastructure;
using Azure.Core;

namespace AzFuse.Tests;

/// <summary>How a storage account file says how to sign in: the Python tool's keys, this library's <c>credential:</c>, and the application's own credentials.</summary>
public sealed class CredentialConfigurationTests : IDisposable
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly MountMapping s_mapping = new("data", "r", "/c", "acct", "/cfg/azfuse.yaml", 3);
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Python_tool_file_with_use_default_azure_cred_signs_in_with_the_default_chain()
    {
        var account = Load("account_name: a\naccount_key: null\nsas_token: null\ncontainer_name: c\nuse_default_azure_cred: true\n");

        Assert.Equal(CredentialKind.Default, account.Credential);
        Assert.Equal(5, account.SignIn!.Line);
        Assert.Contains("default Azure credential", account.DescribeCredential());
    }

    [Theory]
    [InlineData("True")]
    [InlineData("yes")]
    [InlineData("on")]
    public void Use_default_azure_cred_reads_booleans_as_PyYAML_does(string value) =>
        Assert.Equal(CredentialKind.Default, Load($"account_name: a\ncontainer_name: c\nuse_default_azure_cred: {value}\n").Credential);

    [Fact]
    public void Use_default_azure_cred_false_leaves_the_key_in_charge() =>
        Assert.Equal(CredentialKind.AccountKey, Load($"account_name: a\naccount_key: {Key}\ncontainer_name: c\nuse_default_azure_cred: false\n").Credential);

    [Fact]
    public void Use_default_azure_cred_that_is_not_a_boolean_names_the_line()
    {
        var ex = Assert.Throws<AzFuseConfigurationException>(() => Load("account_name: a\ncontainer_name: c\nuse_default_azure_cred: maybe\n"));

        Assert.Equal(3, ex.Line);
        Assert.Contains("true or false", ex.Message);
    }

    [Fact]
    public void Managed_identity_with_a_client_id_is_user_assigned()
    {
        var account = Load("account_name: a\ncontainer_name: c\ncredential: managed_identity\nclient_id: 11111111-2222-3333-4444-555555555555\n");

        Assert.Equal(CredentialKind.ManagedIdentity, account.Credential);
        Assert.Equal("11111111-2222-3333-4444-555555555555", account.SignIn!.ClientId);
        Assert.Contains("user-assigned", account.DescribeCredential());
    }

    [Theory]
    [InlineData("managed_identity", "ManagedIdentity")]
    [InlineData("workload_identity", "WorkloadIdentity")]
    [InlineData("azure_cli", "AzureCli")]
    [InlineData("environment", "Environment")]
    [InlineData("default", "Default")]
    [InlineData("Managed_Identity", "ManagedIdentity")]
    public void Credential_key_names_the_kind(string value, string kind) =>
        Assert.Equal(Enum.Parse<CredentialKind>(kind), Load($"account_name: a\ncontainer_name: c\ncredential: {value}\n").Credential);

    [Fact]
    public void Service_principal_names_its_secret_by_environment_variable()
    {
        var account = Load("account_name: a\ncontainer_name: c\ncredential: service_principal\ntenant_id: t\nclient_id: app\nclient_secret_env: MY_SP_SECRET\n");

        Assert.Equal(CredentialKind.ServicePrincipal, account.Credential);
        Assert.Equal("MY_SP_SECRET", account.SignIn!.ClientSecretVariable);
        Assert.Contains("$MY_SP_SECRET", account.DescribeCredential());
    }

    [Fact]
    public void Service_principal_certificate_path_is_relative_to_the_account_file()
    {
        var account = Load("account_name: a\ncontainer_name: c\ncredential: service_principal\ntenant_id: t\nclient_id: app\nclient_certificate_path: certs/sp.pem\n");

        Assert.Equal(Path.Combine(_temp.Path, "certs", "sp.pem"), account.SignIn!.ClientCertificatePath);
    }

    [Theory]
    [InlineData("credential: service_principal\nclient_id: app\nclient_secret_env: S\n", "tenant_id")]
    [InlineData("credential: service_principal\ntenant_id: t\nclient_secret_env: S\n", "client_id")]
    [InlineData("credential: service_principal\ntenant_id: t\nclient_id: app\n", "exactly one of client_secret_env")]
    [InlineData("credential: service_principal\ntenant_id: t\nclient_id: app\nclient_secret_env: S\nclient_certificate_path: /c.pem\n", "exactly one of client_secret_env")]
    [InlineData("credential: managed_identity\nclient_secret_env: S\n", "applies only to credential service_principal")]
    [InlineData("client_id: x\n", "applies only with 'credential:'")]
    public void Incomplete_or_misplaced_credential_settings_say_what_to_write(string yaml, string expected)
    {
        var ex = Assert.Throws<AzFuseConfigurationException>(() => Load("account_name: a\ncontainer_name: c\n" + yaml));

        Assert.Contains(expected, ex.Message);
        Assert.NotNull(ex.Line);
    }

    [Fact]
    public void A_secret_written_in_the_file_is_refused_and_never_echoed()
    {
        var ex = Assert.Throws<AzFuseConfigurationException>(() => Load("account_name: a\ncontainer_name: c\ncredential: service_principal\ntenant_id: t\nclient_id: app\nclient_secret: TOPSECRETVALUE\n"));

        Assert.Equal(6, ex.Line);
        Assert.Contains("client_secret_env", ex.Message);
        Assert.DoesNotContain("TOPSECRETVALUE", ex.ToString());
    }

    [Theory]
    [InlineData("account_key: " + Key + "\ncredential: managed_identity\n", 4, "account_key and credential")]
    [InlineData("sas_token: '?sv=1&sig=x'\nuse_default_azure_cred: true\n", 4, "sas_token and use_default_azure_cred")]
    [InlineData("use_default_azure_cred: true\ncredential: azure_cli\n", 4, "use_default_azure_cred and credential")]
    public void Two_ways_to_sign_in_in_one_file_is_an_error_naming_the_line_and_the_choices(string yaml, int line, string named)
    {
        var ex = Assert.Throws<AzFuseConfigurationException>(() => Load("account_name: a\ncontainer_name: c\n" + yaml));

        Assert.Equal(Path.Combine(_temp.Path, "acct.yaml"), ex.FilePath);
        Assert.Equal(line, ex.Line);
        Assert.Contains(named, ex.Message);
        Assert.Contains("managed_identity, workload_identity, azure_cli, service_principal, environment or default", ex.Message);
        Assert.DoesNotContain(Key, ex.Message);
    }

    [Fact]
    public void Account_key_and_sas_token_together_still_load_as_the_Python_tool_wrote_them()
    {
        var account = Load($"account_name: a\naccount_key: {Key}\nsas_token: '?sv=1&sig=x'\ncontainer_name: c\n");

        Assert.Equal(CredentialKind.AccountKey, account.Credential);
        Assert.Equal("sv=1&sig=x", account.SasToken);
    }

    [Fact]
    public void Unknown_credential_lists_the_choices()
    {
        var ex = Assert.Throws<AzFuseConfigurationException>(() => Load("account_name: a\ncontainer_name: c\ncredential: kerberos\n"));

        Assert.Equal(3, ex.Line);
        Assert.Contains("'kerberos'", ex.Message);
        Assert.Contains("azure_cli", ex.Message);
    }

    [Fact]
    public void Unknown_keys_are_warned_about_with_the_file_and_line_and_still_load()
    {
        var logs = new CapturingLoggerFactory();
        _temp.Write("acct.yaml", "account_name: a\nsas_tokn: '?sv=1&sig=x'\ncontainer_name: c\n");

        var account = new StorageAccountLoader(_temp.Path, logs.CreateLogger("AzFuse")).Get("acct", s_mapping);

        Assert.Equal(CredentialKind.Anonymous, account.Credential);
        var warning = Assert.Single(logs.Lines, l => l.Contains("[28]", StringComparison.Ordinal));
        Assert.Contains("'sas_tokn'", warning);
        Assert.Contains(Path.Combine(_temp.Path, "acct.yaml") + ":2", warning);
    }

    [Fact]
    public void Unknown_keys_in_the_mapping_file_are_warned_about_too()
    {
        var logs = new CapturingLoggerFactory();
        var file = _temp.Write("azfuse.yaml", "- local: data\n  remote: r\n  cache: /c\n  storage_account: a\n  revalidate_afte: 10s\n");

        Assert.Single(MappingFileLoader.Load(file, logs.CreateLogger("AzFuse")));

        var warning = Assert.Single(logs.Lines, l => l.Contains("[28]", StringComparison.Ordinal));
        Assert.Contains("'revalidate_afte'", warning);
        Assert.Contains(file + ":5", warning);
    }

    [Fact]
    public void The_applications_credential_serves_accounts_whose_file_names_none()
    {
        var credential = new StubCredential();
        _temp.Write("open.yaml", "account_name: a\ncontainer_name: c\n");
        _temp.Write("keyed.yaml", $"account_name: a\naccount_key: {Key}\ncontainer_name: c\n");
        var loader = new StorageAccountLoader(_temp.Path, appCredential: credential);

        var open = loader.Get("open", s_mapping);
        var keyed = loader.Get("keyed", s_mapping);

        Assert.Equal(CredentialKind.Code, open.Credential);
        Assert.Same(credential, open.AppCredential);
        Assert.Equal(CredentialKind.AccountKey, keyed.Credential);
    }

    [Fact]
    public void A_credential_for_one_account_by_name_wins_over_its_file()
    {
        var credential = new StubCredential();
        _temp.Write("keyed.yaml", $"account_name: a\naccount_key: {Key}\ncontainer_name: c\n");
        var loader = new StorageAccountLoader(_temp.Path, appCredentials: new Dictionary<string, TokenCredential> { ["keyed"] = credential });

        var keyed = loader.Get("keyed", s_mapping);

        Assert.Equal(CredentialKind.Code, keyed.Credential);
        Assert.Same(credential, keyed.AppCredential);
    }

    [Fact]
    public void A_file_changed_on_disk_is_read_again_on_reload_and_only_then()
    {
        var path = _temp.Write("acct.yaml", "account_name: a\nsas_token: '?sv=1&sig=OLD'\ncontainer_name: c\n");
        var loader = new StorageAccountLoader(_temp.Path);
        var first = loader.Get("acct", s_mapping);

        Assert.False(loader.Reload(first));
        File.WriteAllText(path, "account_name: a\nsas_token: '?sv=1&sig=NEWER'\ncontainer_name: c\n");

        Assert.True(loader.Reload(first));
        Assert.Equal("sv=1&sig=NEWER", loader.Current(first).SasToken);
        Assert.Equal("sv=1&sig=NEWER", loader.Get("acct", s_mapping).SasToken);
    }

    [Fact]
    public void A_file_broken_on_disk_keeps_the_credentials_loaded_before()
    {
        var path = _temp.Write("acct.yaml", "account_name: a\nsas_token: '?sv=1&sig=OLD'\ncontainer_name: c\n");
        var loader = new StorageAccountLoader(_temp.Path);
        var first = loader.Get("acct", s_mapping);
        File.WriteAllText(path, "account_name: a\nsas_token: '?sv=1&sig=half-written\n");

        Assert.False(loader.Reload(first));
        Assert.Equal("sv=1&sig=OLD", loader.Current(first).SasToken);
    }

    [Fact]
    public void Descriptions_and_ToString_carry_no_secret()
    {
        var account = Load($"account_name: a\naccount_key: {Key}\nsas_token: '?sv=1&sig=SECRETSIGNATURE'\ncontainer_name: c\n");

        Assert.Equal("account key", account.DescribeCredential());
        Assert.DoesNotContain(Key, account.ToString());
        Assert.DoesNotContain("SECRETSIGNATURE", account.ToString());
    }

    private StorageAccount Load(string yaml)
    {
        _temp.Write("acct.yaml", yaml);
        return new StorageAccountLoader(_temp.Path).Get("acct", s_mapping);
    }

    private sealed class StubCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => throw new NotSupportedException("not called by these tests");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => throw new NotSupportedException("not called by these tests");
    }
}
