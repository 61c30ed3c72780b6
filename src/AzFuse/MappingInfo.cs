namespace AzFuse;

/// <summary>
/// One entry of the mapping file as the library resolved it (<see cref="AzFuseClient.GetMappings"/>),
/// for tools that show or check the configuration. Carries no secret.
/// </summary>
public sealed class MappingInfo
{
    /// <summary>Creates a description of a mapping.</summary>
    /// <param name="local">The logical prefix (<c>local</c>).</param>
    /// <param name="remote">The blob prefix in the container (<c>remote</c>).</param>
    /// <param name="cacheFolder">The full path of the cache folder (<c>cache</c>).</param>
    /// <param name="storageAccount">The storage account file's name (<c>storage_account</c>).</param>
    /// <param name="containerUri">The container's URL, without any SAS.</param>
    /// <param name="credential">How requests to the container sign in, in words (never a secret).</param>
    public MappingInfo(string local, string remote, string cacheFolder, string storageAccount, Uri containerUri, string credential)
    {
        Local = local;
        Remote = remote;
        CacheFolder = cacheFolder;
        StorageAccount = storageAccount;
        ContainerUri = containerUri;
        Credential = credential;
    }

    /// <summary>The logical prefix (<c>local</c> in the YAML), such as <c>data</c>.</summary>
    public string Local { get; }

    /// <summary>The blob prefix in the container (<c>remote</c>); empty for the container's root.</summary>
    public string Remote { get; }

    /// <summary>The full path of the cache folder (<c>cache</c>).</summary>
    public string CacheFolder { get; }

    /// <summary>The storage account file's name (<c>storage_account</c>), read from the storage account folder.</summary>
    public string StorageAccount { get; }

    /// <summary>The container's URL, without any SAS.</summary>
    public Uri ContainerUri { get; }

    /// <summary>
    /// How requests to the container sign in, in words: "account key", "SAS token",
    /// "managed identity (system-assigned)", "none (anonymous)", ... Never a secret.
    /// </summary>
    public string Credential { get; }
}
