using AzFuse.Diagnostics;
using Azure.Core;

namespace AzFuse.Configuration;

/// <summary>
/// A storage account file (<c>&lt;folder&gt;/&lt;name&gt;.yaml</c>): where the container is and how
/// to authorise against it. Holds secrets, so <see cref="ToString"/> leaves them out.
/// </summary>
internal sealed class StorageAccount
{
    public StorageAccount(string name, string accountName, string containerName, Uri endpoint, string? accountKey, string? sasToken, string sourceFile, CredentialSettings? signIn = null, TokenCredential? appCredential = null)
    {
        Name = name;
        AccountName = accountName;
        ContainerName = containerName;
        Endpoint = endpoint;
        AccountKey = accountKey;
        SasToken = sasToken;
        SourceFile = sourceFile;
        SignIn = appCredential is null ? signIn : new CredentialSettings(CredentialKind.Code, 0);
        AppCredential = appCredential;
    }

    /// <summary>The name the mapping file refers to (the file's base name).</summary>
    public string Name { get; }

    public string AccountName { get; }

    public string ContainerName { get; }

    /// <summary>The account's blob endpoint without a trailing slash, e.g. <c>https://acct.blob.core.windows.net</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>The base64 account key, or <see langword="null"/>. Secret.</summary>
    public string? AccountKey { get; }

    /// <summary>The SAS query without its leading <c>?</c>, or <see langword="null"/>. Secret.</summary>
    public string? SasToken { get; }

    /// <summary>
    /// The Microsoft Entra ID sign-in to use, or <see langword="null"/> (a key, a SAS, or anonymous):
    /// what the file asks for (<c>use_default_azure_cred</c>, <c>credential:</c>), or
    /// <see cref="CredentialKind.Code"/> for <see cref="AppCredential"/>.
    /// </summary>
    public CredentialSettings? SignIn { get; }

    /// <summary>A credential the application passed in <see cref="AzFuseOptions"/>; it wins over the file's key or SAS.</summary>
    public TokenCredential? AppCredential { get; }

    public string SourceFile { get; }

    /// <summary>How requests are authorised: a token credential, else the key, else the SAS, else anonymous.</summary>
    public CredentialKind Credential =>
        SignIn?.Kind ?? (AccountKey is not null ? CredentialKind.AccountKey : SasToken is not null ? CredentialKind.SasToken : CredentialKind.Anonymous);

    /// <summary>The credential in words, never with a secret: "account key", "SAS token", "managed identity (...)", "none".</summary>
    public string DescribeCredential() => Credential switch
    {
        CredentialKind.AccountKey => "account key",
        CredentialKind.SasToken => "SAS token",
        CredentialKind.Anonymous => "none (anonymous)",
        _ => SignIn!.Describe(),
    };

    /// <summary>The container's URL, without any credential.</summary>
    public Uri ContainerUri => new(Endpoint.AbsoluteUri.TrimEnd('/') + "/" + Uri.EscapeDataString(ContainerName));

    public override string ToString() =>
        $"{Name} ({Redaction.Redact(ContainerUri)}, credential: {DescribeCredential()})";
}
