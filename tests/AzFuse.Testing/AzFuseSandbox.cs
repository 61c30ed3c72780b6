using System.Security.Cryptography;
using System.Text;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using Microsoft.Extensions.Logging;

namespace AzFuse.Testing;

/// <summary>How a sandbox's storage account file authorises: what users put in their YAML.</summary>
public enum SandboxCredential
{
    /// <summary><c>account_key</c> only: the library signs its own container SAS for azcopy.</summary>
    AccountKey,

    /// <summary><c>sas_token</c> only (a container SAS signed by the Azure SDK with Azurite's key).</summary>
    SasToken,

    /// <summary>
    /// No credential in the file: the test passes one in code (<c>AzFuseOptions.Credential</c>)
    /// or writes a <c>credential:</c> line with <see cref="AzFuseSandbox.WriteAccountFile"/>.
    /// </summary>
    None,
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

    // The stats folders are kept outside Root: clients are not disposed, and a client's publishing
    // timer that ticks after its sandbox was deleted makes its folder again (and Root with it),
    // which left an empty folder in the temp folder per sandbox, hundreds per test run. Here they
    // are in one folder per process, removed when the process exits.
    private static readonly Lazy<string> s_statsRoot = new(() =>
    {
        var folder = Directory.CreateTempSubdirectory("azfuse-test-stats-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteQuietly(folder);
        return folder;
    });

    // Seeding and checking go through the Azure SDK directly, never through the library under test.
    private readonly BlobContainerClient _container;

    private AzFuseSandbox(AzuriteServer server, string root, string container)
    {
        Server = server;
        Root = root;
        ContainerName = container;
        _container = new BlobContainerClient(
            new Uri(server.Endpoint.AbsoluteUri.TrimEnd('/') + "/" + container),
            new StorageSharedKeyCredential(AzuriteServer.AccountName, AzuriteServer.AccountKey),
            server.CreateBlobClientOptions());
        Endpoint = server.Endpoint;
        CacheRoot = Path.Combine(root, "cache", "data");
        AccountFolder = Path.Combine(root, "storage_account");
        MappingFile = Path.Combine(root, "azfuse.yaml");
    }

    public AzuriteServer Server { get; }

    /// <summary>The endpoint the storage account file names: the server's, or a <see cref="LinkProxy"/>'s in front of it (<see cref="RouteThrough"/>).</summary>
    public Uri Endpoint { get; private set; }

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
        await sandbox._container.CreateIfNotExistsAsync();
        return sandbox;
    }

    /// <summary>Options for a client of this sandbox (enabled); over HTTPS, the library and azcopy trust the server's certificate.</summary>
    public AzFuseOptions CreateOptions()
    {
        var options = new AzFuseOptions
        {
            Enabled = true,
            MappingFile = MappingFile,
            StorageAccountFolder = AccountFolder,
            AzCopyPath = AzCopyPath,
            TransferEngine = Engine,

            // Retries behave the same, only sooner and fewer: tests that provoke them need not wait
            // seconds (the outage tests set the budget they need).
            RetryDelay = TimeSpan.FromMilliseconds(50),
            TransferAttempts = 4,
        };
#if !AZFUSE_OLD_API // compare-builds.sh builds this file against libraries that predate these options
        options.StatsFolder = StatsFolder;
        if (Server.Certificate is { } certificate)
        {
            options.Transport = certificate.CreateTransport();
            foreach (var (name, value) in certificate.AzCopyEnvironment)
            {
                options.AzCopyEnvironment[name] = value;
            }
        }
#endif

        return options;
    }

    public AzFuseClient CreateClient(ILoggerFactory? loggerFactory = null) => new(CreateOptions(), loggerFactory);

    /// <summary>The environment variables that configure AzFuse for this sandbox in a child process.</summary>
    /// <remarks>Over HTTPS, <c>SSL_CERT_FILE</c> names the server's certificate: .NET and azcopy both trust what it names.</remarks>
    public IReadOnlyDictionary<string, string> EnvironmentVariables
    {
        get
        {
            var variables = new Dictionary<string, string>
            {
                ["AZFUSE_USE_FUSE"] = "1",
                ["AZFUSE_CLOUD_FUSE_CONFIG_FILE"] = MappingFile,
                ["AZFUSE_STORAGE_ACCOUNT_CONFIG_FOLDER"] = AccountFolder,
                ["AZFUSE_AZCOPY_PATH"] = AzCopyPath,
                ["AZFUSE_TRANSFER_ENGINE"] = Engine.ToString().ToLowerInvariant(),
                ["AZFUSE_STATS_FOLDER"] = StatsFolder,
            };
            foreach (var (name, value) in Server.Certificate?.AzCopyEnvironment ?? new Dictionary<string, string>())
            {
                variables[name] = value;
            }

            return variables;
        }
    }

    /// <summary>Where clients of this sandbox (in this process and its children) publish their live counters: not the user's shared folder.</summary>
    public string StatsFolder => Path.Combine(s_statsRoot.Value, Path.GetFileName(Root));

    /// <summary>The cache file of a path under <see cref="LocalPrefix"/>, e.g. "a/b.txt".</summary>
    public string CachePathOf(string relative) => Path.Combine(CacheRoot, relative);

    /// <summary>Uploads a blob under <see cref="RemotePrefix"/> (with its Content-MD5, as the library stores it).</summary>
    public Task UploadAsync(string relative, byte[] content) => UploadBlobAsync(RemotePrefix + "/" + relative, content);

    public Task UploadAsync(string relative, string content) => UploadAsync(relative, Encoding.UTF8.GetBytes(content));

    /// <summary>Uploads a blob by its full name in the container.</summary>
    public async Task UploadBlobAsync(string blobName, byte[] content)
    {
        using var stream = new MemoryStream(content);
        await UploadStreamAsync(blobName, stream);
    }

    /// <summary>
    /// Uploads a blob under <see cref="RemotePrefix"/> with no Content-MD5 stored (staged as blocks
    /// and committed without one, as some tools write blobs): the service computes one only for a
    /// single Put Blob.
    /// </summary>
    public async Task UploadWithoutMd5Async(string relative, byte[] content)
    {
        var blob = _container.GetBlockBlobClient(RemotePrefix + "/" + relative);
        var ids = new List<string>();
        for (var offset = 0; offset < content.Length || ids.Count == 0; offset += 1 << 20)
        {
            var id = Convert.ToBase64String(Encoding.ASCII.GetBytes($"block-{ids.Count:D6}"));
            await blob.StageBlockAsync(id, new MemoryStream(content, offset, Math.Min(1 << 20, content.Length - offset)));
            ids.Add(id);
        }

        await blob.CommitBlockListAsync(ids);
    }

    /// <summary>Uploads a file (streamed, not held in memory) under <see cref="RemotePrefix"/>.</summary>
    public async Task UploadFileAsync(string relative, string localFile)
    {
        await using var stream = File.OpenRead(localFile);
        await UploadStreamAsync(RemotePrefix + "/" + relative, stream);
    }

    /// <summary>
    /// Creates a directory entry as an account with a hierarchical namespace (ADLS Gen2) lists it:
    /// an empty blob with metadata <c>hdi_isfolder=true</c>, by its full name in the container.
    /// </summary>
    public async Task CreateDirectoryMarkerAsync(string blobName) =>
        await _container.GetBlobClient(blobName).UploadAsync(BinaryData.Empty, new BlobUploadOptions { Metadata = new Dictionary<string, string> { ["hdi_isfolder"] = "true" } });

    /// <summary>The blob under <see cref="RemotePrefix"/> as the service describes it, or <see langword="null"/>.</summary>
    public Task<BlobProperties?> GetBlobPropertiesAsync(string relative) => GetBlobPropertiesByNameAsync(RemotePrefix + "/" + relative);

    /// <summary>A blob by its full name in the container as the service describes it, or <see langword="null"/>.</summary>
    public async Task<BlobProperties?> GetBlobPropertiesByNameAsync(string blobName)
    {
        var blob = _container.GetBlobClient(blobName);
        return await blob.ExistsAsync() ? (await blob.GetPropertiesAsync()).Value : null;
    }

    /// <summary>How many committed blocks the blob under <see cref="RemotePrefix"/> has (0 for one sent by a single Put Blob).</summary>
    public async Task<int> CommittedBlockCountAsync(string relative) =>
        (await _container.GetBlockBlobClient(RemotePrefix + "/" + relative).GetBlockListAsync(BlockListTypes.Committed)).Value.CommittedBlocks.Count();

    /// <summary>How many blocks are staged for the blob under <see cref="RemotePrefix"/> and not committed (0 when there is no blob).</summary>
    public async Task<int> UncommittedBlockCountAsync(string relative)
    {
        try
        {
            return (await _container.GetBlockBlobClient(RemotePrefix + "/" + relative).GetBlockListAsync(BlockListTypes.Uncommitted)).Value.UncommittedBlocks.Count();
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return 0;
        }
    }

    /// <summary>A SAS for the sandbox's container, signed with Azurite's key.</summary>
    public string ContainerSas(string permissions, DateTimeOffset start, DateTimeOffset expiry)
    {
        var builder = new BlobSasBuilder { BlobContainerName = ContainerName, Resource = "c", StartsOn = start, ExpiresOn = expiry, Protocol = SasProtocol.HttpsAndHttp };
        builder.SetPermissions(permissions);
        return builder.ToSasQueryParameters(new StorageSharedKeyCredential(AzuriteServer.AccountName, AzuriteServer.AccountKey)).ToString();
    }

    private async Task UploadStreamAsync(string blobName, Stream content)
    {
        var md5 = await MD5.HashDataAsync(content);
        content.Position = 0;
        await _container.GetBlobClient(blobName).UploadAsync(content, new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentHash = md5 } });
    }

    /// <summary>Uploads many small blobs, several at a time.</summary>
    public Task UploadManyAsync(IEnumerable<(string Relative, byte[] Content)> files) =>
        Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (f, _) => await UploadAsync(f.Relative, f.Content));

    /// <summary>
    /// The blob under <see cref="RemotePrefix"/> as the service holds it, fetched with a plain
    /// HTTP GET (not through the library), or <see langword="null"/> when it does not exist.
    /// </summary>
    public Task<byte[]?> DownloadAsync(string relative) => DownloadBlobAsync(RemotePrefix + "/" + relative);

    /// <summary>A blob by its full name in the container, fetched with a plain HTTP GET, or <see langword="null"/>.</summary>
    public async Task<byte[]?> DownloadBlobAsync(string blobName)
    {
        var blob = _container.GetBlobClient(blobName);
        try
        {
            return (await blob.DownloadContentAsync()).Value.Content.ToArray();
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>The blob's properties as the service reports them (HEAD), or <see langword="null"/> when it does not exist.</summary>
    public async Task<(long Length, byte[]? ContentMd5)?> GetPropertiesAsync(string relative) =>
        await GetBlobPropertiesAsync(relative) is { } p
            ? (p.ContentLength, p.ContentHash is { Length: > 0 } md5 ? md5 : null)
            : null;

    public async Task<string?> DownloadTextAsync(string relative) =>
        await DownloadAsync(relative) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

    /// <summary>
    /// Gives the blob a stored Content-MD5 that does not match its bytes (Set Blob Properties, with
    /// a plain HTTP request): what a corrupted blob looks like to a download.
    /// </summary>
    public async Task CorruptStoredMd5Async(string relative) =>
        await _container.GetBlobClient(RemotePrefix + "/" + relative).SetHttpHeadersAsync(new BlobHttpHeaders { ContentHash = new byte[16] });

    /// <summary>Deletes a blob under <see cref="RemotePrefix"/>, as another machine would.</summary>
    public async Task DeleteRemoteAsync(string relative) =>
        await _container.GetBlobClient(RemotePrefix + "/" + relative).DeleteIfExistsAsync();

    /// <summary>
    /// Sends the library's requests (and azcopy's) through <paramref name="proxy"/>: the storage
    /// account file's endpoint becomes the proxy's. Seeding and checking here still go straight to the server.
    /// </summary>
    public void RouteThrough(LinkProxy proxy) => UseEndpoint(proxy.EndpointFor(Server));

    /// <summary>Sends the library's requests straight to the server again (after <see cref="RouteThrough"/>).</summary>
    public void RouteDirect() => UseEndpoint(Server.Endpoint);

    private void UseEndpoint(Uri endpoint)
    {
        var file = Path.Combine(AccountFolder, "azurite.yaml");
        var previous = Endpoint;
        Endpoint = endpoint;
        File.WriteAllText(file, File.ReadAllText(file).Replace($"endpoint: {previous}", $"endpoint: {Endpoint}", StringComparison.Ordinal));
    }

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
        var sas = ContainerSas("rl", DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(12));
        File.WriteAllText(Path.Combine(AccountFolder, "azurite.yaml"),
            $"account_name: {AzuriteServer.AccountName}\naccount_key: null\nsas_token: '?{sas}'\ncontainer_name: {ContainerName}\nendpoint: {Endpoint}\n");
    }

    /// <summary>Options whose SAS has expired, as a user's stale storage account file would.</summary>
    public void WriteExpiredSas()
    {
        var sas = ContainerSas("racwdl", DateTimeOffset.UtcNow.AddHours(-3), DateTimeOffset.UtcNow.AddHours(-1));
        File.WriteAllText(Path.Combine(AccountFolder, "azurite.yaml"),
            $"account_name: {AzuriteServer.AccountName}\naccount_key: null\nsas_token: '?{sas}'\ncontainer_name: {ContainerName}\nendpoint: {Endpoint}\n");
    }

    /// <summary>
    /// The sandbox's storage account file with <paramref name="credentialLines"/> (YAML, one key per
    /// line, such as <c>credential: managed_identity</c>) as its only credential.
    /// </summary>
    public void WriteAccountFile(string credentialLines) =>
        File.WriteAllText(Path.Combine(AccountFolder, "azurite.yaml"),
            $"account_name: {AzuriteServer.AccountName}\ncontainer_name: {ContainerName}\nendpoint: {Endpoint}\n{credentialLines}");

    /// <summary>A storage account file with a fresh SAS granting everything, as a script rotating tokens would write it.</summary>
    public void WriteFreshSas()
    {
        var sas = ContainerSas("racwdl", DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(12));
        File.WriteAllText(Path.Combine(AccountFolder, "azurite.yaml"),
            $"account_name: {AzuriteServer.AccountName}\naccount_key: null\nsas_token: '?{sas}'\ncontainer_name: {ContainerName}\nendpoint: {Endpoint}\n");
    }

    public void Dispose()
    {
        DeleteQuietly(Root);
        if (s_statsRoot.IsValueCreated)
        {
            DeleteQuietly(StatsFolder);
        }
    }

    private static void DeleteQuietly(string folder)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
                return;
            }
            catch (IOException ex) when (attempt < 3 && ex is not DirectoryNotFoundException)
            {
                // A client's background work (a spare file made ahead) added a file to a folder
                // being deleted: "not empty". It makes only a few; the next attempt finds them.
                Thread.Sleep(50);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return; // a temp folder; harmless if left
            }
        }
    }

    private void WriteConfiguration(SandboxCredential credential)
    {
        Directory.CreateDirectory(AccountFolder);
        var secret = credential switch
        {
            SandboxCredential.AccountKey => $"account_key: {AzuriteServer.AccountKey}\nsas_token: null\n",
            SandboxCredential.None => string.Empty,
            _ => $"account_key: null\nsas_token: '?{ContainerSas("racwdl", DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(12))}'\n",
        };
        File.WriteAllText(Path.Combine(AccountFolder, "azurite.yaml"),
            $"account_name: {AzuriteServer.AccountName}\n{secret}container_name: {ContainerName}\nendpoint: {Endpoint}\n");
        File.WriteAllText(MappingFile,
            $"- cache: {CacheRoot}\n  local: {LocalPrefix}\n  remote: {RemotePrefix}\n  storage_account: azurite\n");
    }
}
