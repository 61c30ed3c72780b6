using System.Text;
using AzFuse.Configuration;
using AzFuse.Remote;
using Microsoft.Extensions.Logging;

namespace AzFuse.Testing;

/// <summary>How a sandbox's storage account file authorises: what users put in their YAML.</summary>
public enum SandboxCredential
{
    /// <summary><c>account_key</c> only: the library signs its own container SAS for azcopy.</summary>
    AccountKey,

    /// <summary><c>sas_token</c> only (a container SAS made with the project's signing code).</summary>
    SasToken,
}

/// <summary>
/// A private AzFuse setup against a running Azurite: its own container, mapping file, storage
/// account file and cache folder under a temp folder, written exactly as users write them.
/// Mapping: <c>{local: data, remote: azfuse_data, cache: ROOT/cache/data}</c>.
/// </summary>
public sealed class AzFuseSandbox : IDisposable
{
    public const string LocalPrefix = "data";
    public const string RemotePrefix = "azfuse_data";

    private static int s_counter;
    private static readonly HttpClient s_http = new();
    private readonly BlobRestClient _rest = new(TimeProvider.System, Polly.ResiliencePipeline.Empty, TimeSpan.FromMinutes(2));

    private AzFuseSandbox(AzuriteServer server, string root, string container)
    {
        Server = server;
        Root = root;
        ContainerName = container;
        CacheRoot = Path.Combine(root, "cache", "data");
        AccountFolder = Path.Combine(root, "storage_account");
        MappingFile = Path.Combine(root, "azfuse.yaml");
    }

    public AzuriteServer Server { get; }

    public string Root { get; }

    public string ContainerName { get; }

    /// <summary>The mapping's cache folder.</summary>
    public string CacheRoot { get; }

    public string AccountFolder { get; }

    public string MappingFile { get; }

    /// <summary>The azcopy the sandbox's clients use; tests may point it at a counting wrapper.</summary>
    public string AzCopyPath { get; set; } = RepositoryTools.AzCopy;

    /// <summary>The engine the sandbox's clients (and child processes) use; default auto, as users get.</summary>
    public AzFuseTransferEngine Engine { get; set; } = AzFuseTransferEngine.Auto;

    /// <summary>Creates the folder, the YAML files and the container.</summary>
    public static async Task<AzFuseSandbox> CreateAsync(AzuriteServer server, SandboxCredential credential = SandboxCredential.AccountKey)
    {
        var id = Interlocked.Increment(ref s_counter);
        var root = Directory.CreateTempSubdirectory("azfuse-sandbox-").FullName;
        var container = $"c{Environment.ProcessId}x{id}x{Guid.NewGuid():N}"[..30].ToLowerInvariant();
        var sandbox = new AzFuseSandbox(server, root, container);
        sandbox.WriteConfiguration(credential);
        await sandbox._rest.CreateContainerIfNotExistsAsync(sandbox.KeyAccount(), async: true, CancellationToken.None);
        return sandbox;
    }

    /// <summary>Options for a client of this sandbox (enabled).</summary>
    public AzFuseOptions CreateOptions() => new()
    {
        Enabled = true,
        MappingFile = MappingFile,
        StorageAccountFolder = AccountFolder,
        AzCopyPath = AzCopyPath,
        TransferEngine = Engine,

        // Retries behave the same, only sooner: tests that provoke them need not wait seconds.
        RetryDelay = TimeSpan.FromMilliseconds(50),
    };

    public AzFuseClient CreateClient(ILoggerFactory? loggerFactory = null) => new(CreateOptions(), loggerFactory);

    /// <summary>The environment variables that configure AzFuse for this sandbox in a child process.</summary>
    public IReadOnlyDictionary<string, string> EnvironmentVariables => new Dictionary<string, string>
    {
        ["AZFUSE_USE_FUSE"] = "1",
        ["AZFUSE_CLOUD_FUSE_CONFIG_FILE"] = MappingFile,
        ["AZFUSE_STORAGE_ACCOUNT_CONFIG_FOLDER"] = AccountFolder,
        ["AZFUSE_AZCOPY_PATH"] = AzCopyPath,
        ["AZFUSE_TRANSFER_ENGINE"] = Engine.ToString().ToLowerInvariant(),
    };

    /// <summary>The cache file of a path under <see cref="LocalPrefix"/>, e.g. "a/b.txt".</summary>
    public string CachePathOf(string relative) => Path.Combine(CacheRoot, relative);

    /// <summary>Uploads a blob under <see cref="RemotePrefix"/> with the library's own REST client.</summary>
    public Task UploadAsync(string relative, byte[] content) => UploadBlobAsync(RemotePrefix + "/" + relative, content);

    public Task UploadAsync(string relative, string content) => UploadAsync(relative, Encoding.UTF8.GetBytes(content));

    /// <summary>Uploads a blob by its full name in the container.</summary>
    public async Task UploadBlobAsync(string blobName, byte[] content)
    {
        using var stream = new MemoryStream(content);
        await _rest.PutBlobAsync(new BlobLocation(KeyAccount(), blobName), stream, async: true, CancellationToken.None);
    }

    /// <summary>Uploads a file (streamed, not held in memory) under <see cref="RemotePrefix"/>.</summary>
    public async Task UploadFileAsync(string relative, string localFile)
    {
        await using var stream = File.OpenRead(localFile);
        await _rest.PutBlobAsync(new BlobLocation(KeyAccount(), RemotePrefix + "/" + relative), stream, async: true, CancellationToken.None);
    }

    /// <summary>Uploads many small blobs, several at a time.</summary>
    public Task UploadManyAsync(IEnumerable<(string Relative, byte[] Content)> files) =>
        Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (f, _) => await UploadAsync(f.Relative, f.Content));

    /// <summary>
    /// The blob under <see cref="RemotePrefix"/> as the service holds it, fetched with a plain
    /// HTTP GET (not through the library), or <see langword="null"/> when it does not exist.
    /// </summary>
    public async Task<byte[]?> DownloadAsync(string relative)
    {
        var blob = new BlobLocation(KeyAccount(), RemotePrefix + "/" + relative);
        var sas = ServiceSas.ForContainer(AzuriteServer.AccountName, AzuriteServer.AccountKey, ContainerName, "r", DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        using var response = await s_http.GetAsync(SasProvider.AppendSas(blob.Uri, sas));
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>The blob's properties as the service reports them (HEAD), or <see langword="null"/> when it does not exist.</summary>
    public async Task<(long Length, byte[]? ContentMd5)?> GetPropertiesAsync(string relative) =>
        await _rest.GetPropertiesAsync(new BlobLocation(KeyAccount(), RemotePrefix + "/" + relative), async: true, CancellationToken.None) is { } p
            ? (p.Length, p.ContentMd5)
            : null;

    public async Task<string?> DownloadTextAsync(string relative) =>
        await DownloadAsync(relative) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

    /// <summary>
    /// Gives the blob a stored Content-MD5 that does not match its bytes (Set Blob Properties, with
    /// a plain HTTP request): what a corrupted blob looks like to a download.
    /// </summary>
    public async Task CorruptStoredMd5Async(string relative)
    {
        var blob = new BlobLocation(KeyAccount(), RemotePrefix + "/" + relative);
        var sas = ServiceSas.ForContainer(AzuriteServer.AccountName, AzuriteServer.AccountKey, ContainerName, "rw", DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        using var request = new HttpRequestMessage(HttpMethod.Put, SasProvider.AppendSas(new Uri(blob.Uri.AbsoluteUri + "?comp=properties"), sas));
        request.Headers.Add("x-ms-version", "2021-08-06");
        request.Headers.Add("x-ms-blob-content-md5", Convert.ToBase64String(new byte[16]));
        using var response = await s_http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Deletes a blob under <see cref="RemotePrefix"/>, as another machine would.</summary>
    public async Task DeleteRemoteAsync(string relative) =>
        await _rest.DeleteBlobAsync(new BlobLocation(KeyAccount(), RemotePrefix + "/" + relative), async: true, CancellationToken.None);

    /// <summary>Adds cache policy keys (e.g. <c>revalidate_after: 2s</c>) to the sandbox's mapping, as a user would in the YAML.</summary>
    public void SetCachePolicy(string? revalidateAfter = null, string? maxCacheSize = null)
    {
        var yaml = $"- cache: {CacheRoot}\n  local: {LocalPrefix}\n  remote: {RemotePrefix}\n  storage_account: azurite\n";
        if (revalidateAfter is not null)
        {
            yaml += $"  revalidate_after: {revalidateAfter}\n";
        }

        if (maxCacheSize is not null)
        {
            yaml += $"  max_cache_size: {maxCacheSize}\n";
        }

        File.WriteAllText(MappingFile, yaml);
    }

    /// <summary>A storage account file whose SAS may read and list but not write: uploads fail with 403, and stay pending.</summary>
    public void WriteReadOnlySas()
    {
        var sas = ServiceSas.ForContainer(AzuriteServer.AccountName, AzuriteServer.AccountKey, ContainerName, "rl", DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(12));
        File.WriteAllText(Path.Combine(AccountFolder, "azurite.yaml"),
            $"account_name: {AzuriteServer.AccountName}\naccount_key: null\nsas_token: '?{sas}'\ncontainer_name: {ContainerName}\nendpoint: {Server.Endpoint}\n");
    }

    /// <summary>Options whose SAS has expired, as a user's stale storage account file would.</summary>
    public void WriteExpiredSas()
    {
        var sas = ServiceSas.ForContainer(AzuriteServer.AccountName, AzuriteServer.AccountKey, ContainerName, "racwdl", DateTimeOffset.UtcNow.AddHours(-3), DateTimeOffset.UtcNow.AddHours(-1));
        File.WriteAllText(Path.Combine(AccountFolder, "azurite.yaml"),
            $"account_name: {AzuriteServer.AccountName}\naccount_key: null\nsas_token: '?{sas}'\ncontainer_name: {ContainerName}\nendpoint: {Server.Endpoint}\n");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Temp folder; harmless if left.
        }
    }

    /// <summary>The account with its key, for seeding (users' files may only carry a SAS).</summary>
    internal StorageAccount KeyAccount() =>
        new("seed", AzuriteServer.AccountName, ContainerName, Server.Endpoint, AzuriteServer.AccountKey, sasToken: null, sourceFile: "(test seeding)");

    private void WriteConfiguration(SandboxCredential credential)
    {
        Directory.CreateDirectory(AccountFolder);
        var secret = credential switch
        {
            SandboxCredential.AccountKey => $"account_key: {AzuriteServer.AccountKey}\nsas_token: null\n",
            _ => $"account_key: null\nsas_token: '?{ServiceSas.ForContainer(AzuriteServer.AccountName, AzuriteServer.AccountKey, ContainerName, "racwdl", DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(12))}'\n",
        };
        File.WriteAllText(Path.Combine(AccountFolder, "azurite.yaml"),
            $"account_name: {AzuriteServer.AccountName}\n{secret}container_name: {ContainerName}\nendpoint: {Server.Endpoint}\n");
        File.WriteAllText(MappingFile,
            $"- cache: {CacheRoot}\n  local: {LocalPrefix}\n  remote: {RemotePrefix}\n  storage_account: azurite\n");
    }
}
