using System.Collections.Concurrent;
using AzFuse.Diagnostics;
using Azure.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using YamlDotNet.RepresentationModel;

namespace AzFuse.Configuration;

/// <summary>
/// Reads <c>&lt;folder&gt;/&lt;name&gt;.yaml</c> storage account files on first use and keeps them,
/// until <see cref="Reload"/> finds one changed on disk (a rotated SAS).
/// Keys: <c>account_name</c>, <c>account_key</c>, <c>sas_token</c>, <c>container_name</c> and
/// <c>use_default_azure_cred</c> (the Python tool's); the optional <c>endpoint</c> (emulators and
/// sovereign clouds) and <c>credential</c> with <c>client_id</c>, <c>tenant_id</c>,
/// <c>client_secret_env</c> and <c>client_certificate_path</c> (Microsoft Entra ID sign-in).
/// </summary>
internal sealed class StorageAccountLoader
{
    private static readonly string[] s_knownKeys =
    [
        "account_name", "account_key", "sas_token", "container_name", "endpoint",
        "use_default_azure_cred", "credential", "client_id", "tenant_id", "client_secret_env", "client_certificate_path",
    ];

    private readonly string _folder;
    private readonly ILogger _logger;
    private readonly TokenCredential? _appCredential;
    private readonly IReadOnlyDictionary<string, TokenCredential> _appCredentials;
    private readonly ConcurrentDictionary<string, Lazy<Loaded>> _accounts = new(StringComparer.Ordinal);

    /// <param name="folder">The storage account folder.</param>
    /// <param name="logger">Told of unknown keys.</param>
    /// <param name="appCredential">The application's credential for accounts whose file names none (<see cref="AzFuseOptions.Credential"/>).</param>
    /// <param name="appCredentials">The application's credential per account name, winning over the file's (<see cref="AzFuseOptions.AccountCredentials"/>).</param>
    public StorageAccountLoader(string folder, ILogger? logger = null, TokenCredential? appCredential = null, IReadOnlyDictionary<string, TokenCredential>? appCredentials = null)
    {
        _folder = Path.GetFullPath(folder);
        _logger = logger ?? NullLogger.Instance;
        _appCredential = appCredential;
        _appCredentials = appCredentials ?? new Dictionary<string, TokenCredential>();
    }

    public string Folder => _folder;

    /// <summary>A loader for the options' storage account folder, with the credentials the application passed in code.</summary>
    public static StorageAccountLoader FromOptions(AzFuseOptions options, ILogger logger) =>
        new(options.StorageAccountFolder, logger, options.Credential, new Dictionary<string, TokenCredential>(options.AccountCredentials, StringComparer.Ordinal));

    /// <summary>The account called <paramref name="name"/>; <paramref name="referencedFrom"/> names the mapping for errors.</summary>
    public StorageAccount Get(string name, MountMapping referencedFrom) =>
        // Looked up first: the factory's closure would be allocated on every call (every path a Prepare resolves).
        (_accounts.TryGetValue(name, out var loaded) ? loaded : Add(name, referencedFrom)).Value.Account;

    private Lazy<Loaded> Add(string name, MountMapping referencedFrom) =>
        _accounts.GetOrAdd(name, n => new Lazy<Loaded>(() => Load(n, referencedFrom)));

    /// <summary>
    /// The account as last loaded, by name: what requests use now, after any <see cref="Reload"/>.
    /// The account must have been loaded through <see cref="Get"/> before.
    /// </summary>
    public StorageAccount Current(StorageAccount account) =>
        _accounts.TryGetValue(account.Name, out var loaded) && loaded.IsValueCreated ? loaded.Value.Account : account;

    /// <summary>
    /// Reads the account's file again if it changed on disk since it was loaded (a SAS rotated by a
    /// script, a key replaced), so a long-running process picks it up without a restart.
    /// </summary>
    /// <returns>Whether a changed file was loaded; an unchanged, missing or now-invalid file keeps the loaded account.</returns>
    public bool Reload(StorageAccount account)
    {
        if (!_accounts.TryGetValue(account.Name, out var lazy) || !lazy.IsValueCreated)
        {
            return false;
        }

        var loaded = lazy.Value;
        if (Stamp.Of(loaded.Files) == loaded.Stamp)
        {
            return false;
        }

        Loaded reloaded;
        try
        {
            reloaded = Load(account.Name, loaded.ReferencedFrom);
        }
        catch (AzFuseConfigurationException ex)
        {
            // Half-written by an editor, perhaps: keep what works, and say why.
            Log.AccountReloadFailed(_logger, loaded.Account.SourceFile, ex.Message);
            return false;
        }

        _accounts[account.Name] = new Lazy<Loaded>(reloaded);
        Log.AccountReloaded(_logger, loaded.Account.SourceFile);
        return true;
    }

    private Loaded Load(string name, MountMapping referencedFrom)
    {
        if (name.IndexOfAny(['/', '\\']) >= 0 || name is "." or "..")
        {
            throw Errors.StorageAccountNameInvalid(referencedFrom, name);
        }

        var path = Path.Combine(_folder, name + ".yaml");
        if (!File.Exists(path))
        {
            throw Errors.StorageAccountFileMissing(path, referencedFrom, name);
        }

        // Taken before reading: a change made while we read is seen by the next Reload. A file that
        // inherits (_base_) is read again when it or any of its bases changes.
        var stamp = Stamp.Of(YamlInheritance.FilesOf(path));
        var root = YamlInheritance.Load(path, "storage account file");
        if (root is not YamlMappingNode map)
        {
            throw Errors.StorageAccountNotAMapping(path, root is null ? 1 : YamlFile.LineOf(root));
        }

        YamlKeys.WarnUnknown(map, s_knownKeys, path, _logger);
        var line = YamlFile.LineOf(map);
        var accountName = YamlFile.GetScalar(map, "account_name", path);
        var container = YamlFile.GetScalar(map, "container_name", path);
        var key = Blank(YamlFile.GetScalar(map, "account_key", path));
        var sas = Blank(YamlFile.GetScalar(map, "sas_token", path));
        var endpointText = Blank(YamlFile.GetScalar(map, "endpoint", path));

        if (string.IsNullOrWhiteSpace(accountName))
        {
            throw Errors.StorageAccountKeyMissing(YamlInheritance.FileOf(map, "account_name", path), line, "account_name");
        }

        if (string.IsNullOrWhiteSpace(container))
        {
            throw Errors.StorageAccountKeyMissing(YamlInheritance.FileOf(map, "container_name", path), line, "container_name");
        }

        Uri endpoint;
        if (endpointText is null)
        {
            endpoint = new Uri($"https://{accountName}.blob.core.windows.net");
        }
        else if (!Uri.TryCreate(endpointText.TrimEnd('/'), UriKind.Absolute, out endpoint!) ||
                 (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            var (file, at) = YamlKeys.Where(map, "endpoint", path);
            throw Errors.StorageAccountEndpointInvalid(file, at, endpointText);
        }

        // The Python tool documents a leading '?'; accept the token with or without it.
        sas = sas?.TrimStart('?');

        if (key is not null && !IsBase64(key))
        {
            var (file, at) = YamlKeys.Where(map, "account_key", path);
            throw Errors.StorageAccountKeyNotBase64(file, at);
        }

        var signIn = CredentialSettingsReader.Read(map, path, hasKey: key is not null, hasSas: sas is not null);
        var appCredential = _appCredentials.GetValueOrDefault(name) ?? (signIn is null && key is null && sas is null ? _appCredential : null);
        var account = new StorageAccount(name, accountName, container, endpoint, key, sas, path, signIn, appCredential);
        return new Loaded(account, stamp, YamlInheritance.FilesOf(path), referencedFrom);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static bool IsBase64(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out _);
    }

    private sealed record Loaded(StorageAccount Account, Stamp Stamp, IReadOnlyList<string> Files, MountMapping ReferencedFrom);

    /// <summary>What tells a changed file (or a changed base of it): the lengths and the latest write time.</summary>
    private readonly record struct Stamp(long Length, DateTime LastWriteUtc)
    {
        public static Stamp Of(IEnumerable<string> paths)
        {
            long length = 0;
            var latest = DateTime.MinValue;
            foreach (var info in paths.Select(p => new FileInfo(p)).Where(i => i.Exists))
            {
                length += info.Length;
                latest = info.LastWriteTimeUtc > latest ? info.LastWriteTimeUtc : latest;
            }

            return new Stamp(length, latest);
        }
    }
}
