using AzFuse.Configuration;
using AzFuse.Diagnostics;
using AzFuse.Transfer;

namespace AzFuse;

/// <content>What the client is configured with, for tools that show or check it (<c>azfuse doctor</c>).</content>
public sealed partial class AzFuseClient
{
    /// <summary>
    /// Reads the mapping file and every storage account file it names, and describes each mapping.
    /// Reads the files afresh on each call, so that a tool checking a configuration sees the files
    /// as they are now; a file that is missing or invalid throws the exception every other call would.
    /// </summary>
    /// <returns>The mappings, in the file's order; empty when AzFuse is disabled.</returns>
    /// <exception cref="AzFuseConfigurationException">A file is missing or invalid; the message names the file, the line and the fix.</exception>
    public IReadOnlyList<MappingInfo> GetMappings()
    {
        if (!_options.Enabled)
        {
            return [];
        }

        var mappingFile = _options.MappingFile ?? throw Errors.ConfigFileNotSet();
        var accounts = new StorageAccountLoader(_options.StorageAccountFolder);
        return MappingFileLoader.Load(mappingFile)
            .Select(m => new MappingInfo(m.Local, m.Remote, m.CacheRoot, m.StorageAccount, accounts.Get(m.StorageAccount, m).ContainerUri))
            .ToList();
    }

    /// <summary>
    /// Finds the azcopy executable the way transfers do: <see cref="AzFuseOptions.AzCopyPath"/>
    /// (<c>AZFUSE_AZCOPY_PATH</c>), <c>~/code/azcopy/azcopy</c>, <c>PATH</c>, <c>/usr/bin/azcopy</c>.
    /// </summary>
    /// <returns>The full path of azcopy.</returns>
    /// <exception cref="AzCopyNotFoundException">It is not installed where it is looked for; the message says how to install it.</exception>
    public string LocateAzCopy() => new AzCopyLocator(_options.AzCopyPath).Locate();
}
