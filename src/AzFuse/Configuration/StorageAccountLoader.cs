using System.Collections.Concurrent;
using AzFuse.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace AzFuse.Configuration;

/// <summary>
/// Reads <c>&lt;folder&gt;/&lt;name&gt;.yaml</c> storage account files on first use and keeps them.
/// Keys: <c>account_name</c>, <c>account_key</c>, <c>sas_token</c>, <c>container_name</c> (the Python
/// tool's) and the optional <c>endpoint</c> (this library's addition, for emulators and sovereign clouds).
/// </summary>
internal sealed class StorageAccountLoader
{
    private readonly string _folder;
    private readonly ConcurrentDictionary<string, Lazy<StorageAccount>> _accounts = new(StringComparer.Ordinal);

    public StorageAccountLoader(string folder)
    {
        _folder = Path.GetFullPath(folder);
    }

    public string Folder => _folder;

    /// <summary>The account called <paramref name="name"/>; <paramref name="referencedFrom"/> names the mapping for errors.</summary>
    public StorageAccount Get(string name, MountMapping referencedFrom) =>
        _accounts.GetOrAdd(name, n => new Lazy<StorageAccount>(() => Load(n, referencedFrom))).Value;

    private StorageAccount Load(string name, MountMapping referencedFrom)
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

        var root = YamlFile.LoadRoot(path, "storage account file");
        if (root is not YamlMappingNode map)
        {
            throw Errors.StorageAccountNotAMapping(path, root is null ? 1 : YamlFile.LineOf(root));
        }

        var line = YamlFile.LineOf(map);
        var accountName = YamlFile.GetScalar(map, "account_name", path);
        var container = YamlFile.GetScalar(map, "container_name", path);
        var key = Blank(YamlFile.GetScalar(map, "account_key", path));
        var sas = Blank(YamlFile.GetScalar(map, "sas_token", path));
        var endpointText = Blank(YamlFile.GetScalar(map, "endpoint", path));

        if (string.IsNullOrWhiteSpace(accountName))
        {
            throw Errors.StorageAccountKeyMissing(path, line, "account_name");
        }

        if (string.IsNullOrWhiteSpace(container))
        {
            throw Errors.StorageAccountKeyMissing(path, line, "container_name");
        }

        Uri endpoint;
        if (endpointText is null)
        {
            endpoint = new Uri($"https://{accountName}.blob.core.windows.net");
        }
        else if (!Uri.TryCreate(endpointText.TrimEnd('/'), UriKind.Absolute, out endpoint!) ||
                 (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw Errors.StorageAccountEndpointInvalid(path, line, endpointText);
        }

        // The Python tool documents a leading '?'; accept the token with or without it.
        sas = sas?.TrimStart('?');

        if (key is not null && !IsBase64(key))
        {
            throw Errors.StorageAccountKeyNotBase64(path, line);
        }

        return new StorageAccount(name, accountName, container, endpoint, key, sas, path);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static bool IsBase64(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out _);
    }
}
