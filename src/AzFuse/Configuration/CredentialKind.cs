namespace AzFuse.Configuration;

/// <summary>How requests to a storage account are authorised, as its storage account file (or the code) chose.</summary>
internal enum CredentialKind
{
    /// <summary>None: a public container, read anonymously.</summary>
    Anonymous,

    /// <summary><c>account_key</c>: Shared Key.</summary>
    AccountKey,

    /// <summary><c>sas_token</c>: a shared access signature.</summary>
    SasToken,

    /// <summary><c>use_default_azure_cred: true</c> or <c>credential: default</c>: environment, workload identity, managed identity, then Azure CLI.</summary>
    Default,

    /// <summary><c>credential: managed_identity</c> (system-assigned, or user-assigned with <c>client_id</c>).</summary>
    ManagedIdentity,

    /// <summary><c>credential: workload_identity</c> (AKS): the federated token file named by the environment.</summary>
    WorkloadIdentity,

    /// <summary><c>credential: azure_cli</c>: the account <c>az login</c> signed in.</summary>
    AzureCli,

    /// <summary><c>credential: service_principal</c>: tenant, client id, and a secret from an environment variable or a certificate file.</summary>
    ServicePrincipal,

    /// <summary><c>credential: environment</c>: the <c>AZURE_TENANT_ID</c>/<c>AZURE_CLIENT_ID</c>/... variables (EnvironmentCredential).</summary>
    Environment,

    /// <summary>A <c>TokenCredential</c> the application passed in <see cref="AzFuseOptions"/>.</summary>
    Code,
}
