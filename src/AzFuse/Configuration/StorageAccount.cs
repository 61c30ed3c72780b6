using AzFuse.Diagnostics;

namespace AzFuse.Configuration;

/// <summary>
/// A storage account file (<c>&lt;folder&gt;/&lt;name&gt;.yaml</c>): where the container is and how
/// to authorise against it. Holds secrets, so <see cref="ToString"/> leaves them out.
/// </summary>
internal sealed class StorageAccount
{
    public StorageAccount(string name, string accountName, string containerName, Uri endpoint, string? accountKey, string? sasToken, string sourceFile)
    {
        Name = name;
        AccountName = accountName;
        ContainerName = containerName;
        Endpoint = endpoint;
        AccountKey = accountKey;
        SasToken = sasToken;
        SourceFile = sourceFile;
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

    public string SourceFile { get; }

    /// <summary>The container's URL, without any credential.</summary>
    public Uri ContainerUri => new(Endpoint.AbsoluteUri.TrimEnd('/') + "/" + Uri.EscapeDataString(ContainerName));

    public override string ToString() =>
        $"{Name} ({Redaction.Redact(ContainerUri)}, credential: {(SasToken is not null ? "SAS token" : AccountKey is not null ? "account key" : "none")})";
}
