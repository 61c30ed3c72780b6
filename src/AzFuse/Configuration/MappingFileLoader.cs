using AzFuse.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace AzFuse.Configuration;

/// <summary>
/// Loads the mapping file named by <c>AZFUSE_CLOUD_FUSE_CONFIG_FILE</c>: a YAML list of
/// <c>{local, remote, cache, storage_account}</c> entries, exactly as the Python tool reads it.
/// Keys this version does not know are ignored, so files written for newer versions still load.
/// </summary>
internal static class MappingFileLoader
{
    private static readonly string[] s_requiredKeys = ["local", "remote", "cache", "storage_account"];

    public static IReadOnlyList<MountMapping> Load(string path)
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
                Line: line));
        }

        return mappings;
    }
}
