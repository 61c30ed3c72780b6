using AzFuse.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using YamlDotNet.RepresentationModel;

namespace AzFuse.Configuration;

/// <summary>
/// Loads the mapping file named by <c>AZFUSE_CLOUD_FUSE_CONFIG_FILE</c>: a YAML list of
/// <c>{local, remote, cache, storage_account}</c> entries, exactly as the Python tool reads it.
/// Keys this version does not know are ignored, with a warning, so files written for newer versions still load.
/// Two optional keys set the cache policy: <c>revalidate_after</c> and <c>max_cache_size</c>.
/// </summary>
internal static class MappingFileLoader
{
    private static readonly string[] s_requiredKeys = ["local", "remote", "cache", "storage_account"];
    private static readonly string[] s_knownKeys = [.. s_requiredKeys, "revalidate_after", "max_cache_size"];

    /// <param name="path">The mapping file.</param>
    /// <param name="logger">Told of keys this version does not read (a misspelling, say).</param>
    public static IReadOnlyList<MountMapping> Load(string path, ILogger? logger = null)
    {
        var fullPath = Path.GetFullPath(path);
        var root = YamlFile.LoadRoot(fullPath, "mapping file");
        if (root is null)
        {
            return [];
        }

        if (root is not YamlSequenceNode list)
        {
            throw Errors.MappingFileNotAList(fullPath, YamlFile.LineOf(root));
        }

        var mappings = new List<MountMapping>(list.Children.Count);
        foreach (var item in list.Children)
        {
            var line = YamlFile.LineOf(item);
            if (item is not YamlMappingNode entry)
            {
                throw Errors.MappingEntryNotAMapping(fullPath, line);
            }

            YamlKeys.WarnUnknown(entry, s_knownKeys, fullPath, logger ?? NullLogger.Instance);
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var key in s_requiredKeys)
            {
                var value = YamlFile.GetScalar(entry, key, fullPath);

                // remote may legitimately be empty: the mapping then covers the container's root.
                if (value is null || (value.Length == 0 && key != "remote"))
                {
                    throw Errors.MappingKeyMissing(fullPath, line, key);
                }

                values[key] = value;
            }

            mappings.Add(new MountMapping(
                Local: values["local"],
                Remote: values["remote"],
                Cache: values["cache"],
                StorageAccount: values["storage_account"],
                SourceFile: fullPath,
                Line: line,
                RevalidateAfter: Optional(entry, "revalidate_after", fullPath, line, (string text, out TimeSpan v) => CacheSettingParser.TryParseDuration(text, out v), "a duration such as 30s, 10m, 2h or 1d, or off"),
                MaxCacheSize: Optional(entry, "max_cache_size", fullPath, line, (string text, out long v) => CacheSettingParser.TryParseSize(text, out v), "a size such as 500MB, 50GB or 2TiB, or unlimited")));
        }

        return mappings;
    }

    private delegate bool TryParse<T>(string text, out T value);

    private static T? Optional<T>(YamlMappingNode entry, string key, string path, int line, TryParse<T> parse, string expected)
        where T : struct
    {
        var text = YamlFile.GetScalar(entry, key, path);
        if (text is null)
        {
            return null;
        }

        return parse(text, out var value) ? value : throw Errors.MappingValueInvalid(path, line, key, text, expected);
    }
}
