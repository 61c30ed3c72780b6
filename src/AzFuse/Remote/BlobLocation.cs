using AzFuse.Configuration;

namespace AzFuse.Remote;

/// <summary>A blob: the storage account (endpoint, container, credential) and the blob's name in it.</summary>
internal readonly record struct BlobLocation(StorageAccount Account, string BlobName)
{
    /// <summary>The blob's URL without any credential; each path segment is percent-encoded.</summary>
    public Uri Uri => new(Account.ContainerUri.AbsoluteUri + "/" + EscapeBlobName(BlobName));

    /// <summary>"container/blob", for messages (never contains a credential).</summary>
    public string DisplayName => Account.ContainerName + "/" + BlobName;

    public static string EscapeBlobName(string blobName) =>
        string.Join('/', blobName.Split('/').Select(Uri.EscapeDataString));

    public override string ToString() => DisplayName;
}
