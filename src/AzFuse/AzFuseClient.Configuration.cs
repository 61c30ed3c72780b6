using AzFuse.Configuration;
using AzFuse.Transfer;

namespace AzFuse;

/// <content>What the client is configured with, for tools that show or check it (<c>azfuse doctor</c>).</content>
public sealed partial class AzFuseClient
{
    /// <summary>
    /// Reads the mapping file (or takes <see cref="AzFuseOptions.Mappings"/>) and every storage account file it names, and describes each mapping.
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

        var accounts = StorageAccountLoader.FromOptions(_options, _logger);
        return MappingSource.Load(_options, _logger)
            .Select(m => (Mapping: m, Account: accounts.Get(m.StorageAccount, m)))
            .Select(p => new MappingInfo(p.Mapping.Local, p.Mapping.Remote, p.Mapping.CacheRoot, p.Mapping.StorageAccount, p.Account.ContainerUri, p.Account.DescribeCredential()))
            .ToList();
    }

    /// <summary>
    /// Signs in as a storage account file says and proves it works as far as can be done without
    /// touching a blob: gets a Microsoft Entra ID token and a user-delegation key (what azcopy's SAS
    /// is signed with), or signs a SAS with the account key, or checks the configured SAS token's
    /// expiry. Uses the client's own credentials, so a token got here is reused by later requests.
    /// </summary>
    /// <param name="storageAccount">The storage account file's name (<c>storage_account</c> in the mapping).</param>
    /// <param name="cancellationToken">Cancels the sign-in.</param>
    /// <returns>What worked, in words, for a person to read (never a secret).</returns>
    /// <exception cref="AzFuseException">The sign-in failed; the message names the file, the credential and what to do.</exception>
    /// <exception cref="AzFuseConfigurationException">The storage account file is missing or invalid.</exception>
    /// <exception cref="InvalidOperationException">AzFuse is disabled.</exception>
    public Task<string> VerifyCredentialAsync(string storageAccount, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storageAccount);
        return _options.Enabled
            ? _engine.Value.VerifyCredentialAsync(storageAccount, cancellationToken)
            : throw new InvalidOperationException("AzFuse is disabled (AZFUSE_USE_FUSE and AZFUSE_TSV_USE_FUSE add up to 0 or are unset), so no storage account is used.");
    }

    /// <summary>
    /// Finds the azcopy executable the way transfers do: <see cref="AzFuseOptions.AzCopyPath"/>
    /// (<c>AZFUSE_AZCOPY_PATH</c>), <c>~/code/azcopy/azcopy</c>, <c>PATH</c>, <c>/usr/bin/azcopy</c>.
    /// </summary>
    /// <returns>The full path of azcopy.</returns>
    /// <exception cref="AzCopyNotFoundException">It is not installed where it is looked for; the message says how to install it.</exception>
    public string LocateAzCopy() => new AzCopyLocator(_options.AzCopyPath).Locate();
}
