using System.Globalization;
using System.Text;
using AzFuse.Configuration;
using AzFuse.IO;
using AzFuse.Remote;
using AzFuse.Transfer;

namespace AzFuse.Diagnostics;

/// <summary>
/// Every exception the library raises for a reason of its own is built here, so that messages
/// read alike: what happened, which file, and what to do. No message may contain a SAS
/// signature or an account key; anything quoted from outside passes through <see cref="Redaction"/>.
/// </summary>
internal static partial class Errors
{
    // ----- configuration -------------------------------------------------------------------

    public static AzFuseConfigurationException ConfigFileMissing(string path, string whatItIs, Exception inner) => new(
        $"The {whatItIs} '{path}' does not exist. Check the path (relative paths are taken from the current directory, '{Environment.CurrentDirectory}').", path, null, inner);

    public static AzFuseConfigurationException ConfigFileUnreadable(string path, string whatItIs, Exception inner) => new(
        $"The {whatItIs} '{path}' cannot be read: {inner.Message}", path, null, inner);

    public static AzFuseConfigurationException MalformedYaml(string path, int line, string detail, Exception inner) => new(
        $"{path}:{line}: the YAML is malformed ({detail}). Fix the syntax at that line.", path, line, inner);

    public static AzFuseConfigurationException YamlValueNotScalar(string path, int line, string key) => new(
        $"{path}:{line}: '{key}' must be a single value, not a list or a mapping.", path, line);

    public static AzFuseConfigurationException MappingFileNotAList(string path, int line) => new(
        $"{path}:{line}: the mapping file must be a YAML list of entries, each with local, remote, cache and storage_account (for example '- local: data').", path, line);

    public static AzFuseConfigurationException MappingEntryNotAMapping(string path, int line) => new(
        $"{path}:{line}: each list item must be a mapping with the keys local, remote, cache and storage_account.", path, line);

    public static AzFuseConfigurationException MappingKeyMissing(string path, int line, string key) => new(
        $"{path}:{line}: this mapping has no '{key}'. Every mapping needs local, remote, cache and storage_account (remote may be '' for the container's root).", path, line);

    public static AzFuseConfigurationException MappingValueInvalid(string path, int line, string key, string value, string expected) => new(
        $"{path}:{line}: {key} '{value}' is not understood. Write {expected}.", path, line);

    public static AzFuseConfigurationException CacheSizeConflict(string cacheRoot, MountMapping first, MountMapping second) => new(
        $"The mappings at {first.Origin} and {second.Origin} share the cache folder '{cacheRoot}' but set different max_cache_size values. The limit is per cache folder: give them the same value, or set it on one of them only.", second.SourceFile, second.Line);

    public static AzFuseConfigurationException StorageAccountNameInvalid(MountMapping mapping, string name) => new(
        $"{mapping.Origin}: storage_account '{name}' must be a file's base name (without folder or '.yaml'), found in the storage account folder.", mapping.SourceFile, mapping.Line);

    public static AzFuseConfigurationException StorageAccountFileMissing(string path, MountMapping mapping, string name) => new(
        $"The storage account file '{path}' does not exist (storage_account '{name}' at {mapping.Origin}). Create it with account_name, container_name and a credential (account_key, sas_token, or 'credential: ...' for Microsoft Entra ID), or point AZFUSE_STORAGE_ACCOUNT_CONFIG_FOLDER at the folder that holds it.", path);

    public static AzFuseConfigurationException StorageAccountNotAMapping(string path, int line) => new(
        $"{path}:{line}: a storage account file must be a YAML mapping with account_name, container_name and a credential (account_key, sas_token, or 'credential: ...').", path, line);

    public static AzFuseConfigurationException StorageAccountKeyMissing(string path, int line, string key) => new(
        $"{path}:{line}: '{key}' is missing or empty. A storage account file needs account_name and container_name.", path, line);

    public static AzFuseConfigurationException StorageAccountEndpointInvalid(string path, int line, string endpoint) => new(
        $"{path}:{line}: endpoint '{Redaction.Redact(endpoint)}' is not an http or https URL. Use e.g. 'https://<account>.blob.core.windows.net' or 'http://127.0.0.1:10000/devstoreaccount1' for Azurite.", path, line);

    public static AzFuseConfigurationException StorageAccountKeyNotBase64(string path, int line) => new(
        $"{path}:{line}: account_key is not valid base64. Copy the key again from the storage account's access keys.", path, line);

    public static AzFuseConfigurationException YamlValueNotBoolean(string path, int line, string key, string value) => new(
        $"{path}:{line}: {key} is '{value}'; write true or false.", path, line);

    public static AzFuseConfigurationException SecretInAccountFile(string path, int line) => new(
        $"{path}:{line}: client_secret must not be written in the file. Put the secret in an environment variable and name that variable with 'client_secret_env: NAME' (or use client_certificate_path).", path, line);

    public static AzFuseConfigurationException CredentialsConflict(string path, int line, IReadOnlyList<string> keys) => new(
        $"{path}:{line}: the file sets {string.Join(" and ", keys)}, which are different ways to sign in; keep one. The choices: account_key, sas_token (these two may appear together, as in the Python tool's files), use_default_azure_cred: true, or credential: {CredentialSettings.Choices}.", path, line);

    public static AzFuseConfigurationException CredentialUnknown(string path, int line, string value) => new(
        $"{path}:{line}: credential '{value}' is not known; write one of {CredentialSettings.Choices}.", path, line);

    public static AzFuseConfigurationException CredentialSettingWithoutCredential(string path, int line, string key) => new(
        $"{path}:{line}: {key} applies only with 'credential:' (for example 'credential: managed_identity' with client_id for a user-assigned identity). Add the credential line, or remove {key}.", path, line);

    public static AzFuseConfigurationException CredentialSettingMissing(string path, int line, CredentialKind kind, string key) => new(
        $"{path}:{line}: credential {Snake(kind)} needs {key}.", path, line);

    public static AzFuseConfigurationException ServicePrincipalNeedsOneSecret(string path, int line) => new(
        $"{path}:{line}: credential service_principal needs exactly one of client_secret_env (the name of an environment variable that holds the secret) and client_certificate_path (a PEM or PFX file).", path, line);

    public static AzFuseConfigurationException CredentialSettingNotApplicable(string path, int line, CredentialKind kind, string key) => new(
        $"{path}:{line}: {key} applies only to credential service_principal, not {Snake(kind)}. Remove it.", path, line);

    public static AzFuseConfigurationException SecretVariableNotSet(StorageAccount account, string variable) => new(
        $"The environment variable {variable}, which client_secret_env in '{account.SourceFile}' names as the service principal's secret, is not set. Set it in the environment of this process.", account.SourceFile, account.SignIn?.Line);

    public static AzFuseException SignInFailed(StorageAccount account, string reason, Exception? inner) => new(
        $"Could not sign in for '{account.SourceFile}' with the {account.DescribeCredential()}: {Redaction.Redact(CredentialReason(reason))} {SignInHint(account)}", inner);

    public static AzFuseException SignInTimedOut(StorageAccount account, TimeSpan timeout) => new(
        $"Could not sign in for '{account.SourceFile}' with the {account.DescribeCredential()}: no token within {timeout.TotalSeconds:0.#} s. {SignInHint(account)} On a machine where getting a token is slow, raise AzFuseOptions.CredentialTimeout.");

    public static AzFuseConfigurationException TokenNeedsHttps(StorageAccount account) => new(
        $"'{account.SourceFile}' signs in with the {account.DescribeCredential()}, which sends a bearer token, and the service refuses those over http: make endpoint an https URL.", account.SourceFile, account.SignIn?.Line);

    public static AzFuseException CertificateNotTrusted(Uri uri, Exception inner) => new(
        $"The TLS certificate of {uri.Scheme}://{uri.Authority} is not trusted ({Redaction.Redact(FirstLines(inner.Message))}). Check the endpoint; for a private certificate authority add it to the system's trust store (or SSL_CERT_FILE), or set AzFuseOptions.Transport.", inner);

    public static AzFuseException SasTokenExpired(StorageAccount account, DateTimeOffset expiry) => new(
        $"The sas_token in '{account.SourceFile}' expired at {expiry.UtcDateTime:yyyy-MM-dd HH:mm} UTC. Put a new one in the file (a running process picks it up at its next request), or sign in with 'credential: ...' instead.");

    public static ArgumentOutOfRangeException UrlExpiryTooLong(TimeSpan expiry, StorageAccount account) => new(
        "expiry", expiry, $"A URL signed through Microsoft Entra ID (a user-delegation SAS, for '{account.SourceFile}' with the {account.DescribeCredential()}) can last at most 7 days; the service refuses longer ones. Ask for 7 days or less.");

    public static AzFuseConfigurationException TransferEngineInvalid(string value) => new(
        $"AZFUSE_TRANSFER_ENGINE is '{value}'; it must be auto, azcopy or http (or unset, which means auto).");

    // ----- paths ---------------------------------------------------------------------------

    public static ArgumentException EmptyPath(string paramName) => new("The path is empty. Pass a logical path such as 'data/abc.txt'.", paramName);

    public static ArgumentException PathEscapesMapping(string logicalPath, MountMapping mapping) => new(
        $"The path '{logicalPath}' uses '..' to leave the mapping for '{mapping.Local}' ({mapping.Origin}), which would escape its cache folder '{mapping.Cache}'. Remove the '..' segments.", "path");

    public static ArgumentException ReservedPath(string logicalPath, string name) => new(
        $"The path '{logicalPath}' names '{name}', which AzFuse reserves for its own files in the cache. Rename the file.", "path");

    public static UnauthorizedAccessException NotAFile(string logicalPath, string cachePath) => new(
        $"The path '{logicalPath}' is a folder (cache folder '{cachePath}'), not a file. Open a file inside it.");

    public static IOException FileAlreadyExists(string logicalPath, string where) => new(
        $"'{logicalPath}' already exists ({where}), and FileMode.CreateNew only creates new files. Use FileMode.Create to overwrite it.");

    public static AzFuseException CacheFileVanished(string logicalPath, string cachePath) => new(
        $"'{logicalPath}' was downloaded to '{cachePath}' but the file was removed before it could be opened (ClearCache from another thread or process?). Open it again.");

    public static AzFuseException LockTimeout(string what, string lockPath, TimeSpan timeout) => new(
        $"Waited {timeout} for another process to finish downloading '{what}' (lock: '{lockPath}'). If that process is stuck, stop it; raise AzFuseOptions.LockTimeout for very large files.");

    // ----- remote --------------------------------------------------------------------------

    public static FileNotFoundException BlobNotFound(string logicalPath, BlobLocation blob) => new(
        $"'{logicalPath}' does not exist: there is no blob '{blob.BlobName}' in container '{blob.Account.ContainerName}' ({Redaction.Redact(blob.Account.ContainerUri)}).", logicalPath);

    public static AzFuseException ContainerNotFound(StorageAccount account) => new(
        $"The container '{account.ContainerName}' does not exist at {Redaction.Redact(account.Endpoint)}. Check container_name (and endpoint) in '{account.SourceFile}'.");

    public static AzFuseException AccessDenied(StorageAccount account, string what, string? code)
    {
        var hint = code switch
        {
            "KeyBasedAuthenticationNotPermitted" => $"The storage account does not allow Shared Key (account key or key-signed SAS) access. Sign in with Microsoft Entra ID instead: put 'credential: managed_identity' (or azure_cli, workload_identity, service_principal, default) in '{account.SourceFile}' in place of account_key and sas_token.",
            _ => account.Credential switch
            {
                CredentialKind.SasToken => $"Check that the sas_token in '{account.SourceFile}' is for container '{account.ContainerName}', has not expired{SasExpiry(account.SasToken!)}, and grants the needed permissions (r and l to read, c and w to write). A token replaced in the file is picked up on the next request.",
                CredentialKind.AccountKey => $"Check account_name and account_key in '{account.SourceFile}'.",
                CredentialKind.Anonymous => $"The container is not public and '{account.SourceFile}' names no credential: add account_key, sas_token or 'credential: ...' (Microsoft Entra ID).",
                _ => $"The {account.DescribeCredential()} signed in, but is not allowed this: give it the 'Storage Blob Data Reader' role on the account or container to read, 'Storage Blob Data Contributor' to write (both include creating user-delegation SAS for azcopy); new role assignments take a few minutes to apply.",
            },
        };
        return new AzFuseException($"Access to '{what}' was denied (403 {code ?? "Forbidden"}). {hint}") { IsAccessDenied = true };
    }

    public static AzFuseException ServiceError(StorageAccount account, string what, int status, string? code) => new(
        $"The storage service answered {status} {code} for '{what}' at {Redaction.Redact(account.Endpoint)}. If this persists, check the service's health and the account in '{account.SourceFile}'.")
    {
        // Throttling, timeouts and server errors pass; a 4xx needs a fix first.
        IsTransient = status is >= 500 or 408 or 429,
    };

    public static AzFuseException ServiceUnreachable(Uri uri, Exception inner) => new(
        $"Cannot reach the storage service at {uri.Scheme}://{uri.Authority} ({Redaction.Redact(inner.Message)}). Check the network and the endpoint in the storage account file.", inner)
    {
        IsTransient = true,
    };

    public static AzFuseException RequestTimedOut(Uri uri, TimeSpan timeout, Exception inner) => new(
        $"The storage service at {uri.Scheme}://{uri.Authority} made no progress for {timeout}; the request was stopped. On a very slow link, raise AzFuseOptions.TransferStallTimeout.", inner)
    {
        IsTransient = true,
    };

    public static AzFuseException UnexpectedResponse(string what, string detail) => new(
        $"Unexpected response from the storage service for '{what}': {detail}.");

    public static IOException DeleteOfPendingWrite(string logicalPath) => new(
        $"'{logicalPath}' has a write that is not uploaded yet, so deleting it now would be undone by that upload. Let the AsyncUpload scope finish (or call ResumePendingUploads), then delete it.");

    public static AzFuseException CannotSignReadOnlyUrl(string logicalPath, StorageAccount account) => new(
        $"A read-only URL for '{logicalPath}' needs account_key to sign it, and '{account.SourceFile}' has only a sas_token that grants more than reading (sp=r or sp=rl). Add account_key, or use a read-only sas_token.");

    public static ArgumentException NoRemote(string logicalPath, bool enabled) => new(
        enabled
            ? $"'{logicalPath}' is outside every mapping, so it is a local file with no URL. Use a path under one of the mapping file's 'local' prefixes."
            : $"AzFuse is disabled (AZFUSE_USE_FUSE is not 1), so '{logicalPath}' is a local file with no URL.",
        "path");

    public static ArgumentOutOfRangeException UrlExpiryInvalid(TimeSpan expiry) => new(
        "expiry", expiry, "The URL's lifetime must be positive.");

    // ----- azcopy --------------------------------------------------------------------------

    public static AzCopyNotFoundException AzCopyNotFound(IReadOnlyList<string> searched, bool explicitPathMissing)
    {
        var sb = new StringBuilder();
        sb.Append(explicitPathMissing
            ? $"azcopy was not found at '{searched[0]}', the path given by AzFuseOptions.AzCopyPath or AZFUSE_AZCOPY_PATH."
            : "azcopy was not found. Looked in: " + string.Join(", ", searched) + ".");
        sb.Append(" Install azcopy 10 or later and make it executable, then put it on PATH, at ~/code/azcopy/azcopy or /usr/bin/azcopy, or set AZFUSE_AZCOPY_PATH to it. ");
        sb.Append("It is available from Microsoft's AzCopy download page, or from npm: 'npm install @azure-tools/azcopy-linux' then 'chmod +x node_modules/@azure-tools/azcopy-linux/dist/bin/azcopy_linux_amd64' (it needs libsecret-1-0 on Debian and Ubuntu).");
        return new AzCopyNotFoundException(sb.ToString(), searched);
    }

    public static AzFuseException AzCopyCannotStart(string path, Exception inner) => new(
        $"azcopy at '{path}' could not be started ({inner.Message}). Make it executable ('chmod +x {path}'); on Linux it also needs the libsecret-1-0 package.", inner);

    public static AzFuseException AzCopyDownloadFailed(BlobLocation blob, AzCopyExit exit, string logTail, string logFolder) => new(
        $"azcopy failed to download '{blob.DisplayName}' (exit code {exit.ExitCode}). {Quote(exit.StandardErrorTail, logTail)}azcopy's log is in '{logFolder}'.")
    {
        // Access and existence were checked just before, so what is left is the network or azcopy.
        IsTransient = true,
    };

    public static AzFuseException DownloadInterrupted(BlobLocation blob, Exception inner) => new(
        $"The download of '{blob.DisplayName}' broke off ({Redaction.Redact(inner.Message)}). Nothing was cached.", inner)
    {
        IsTransient = true,
    };

    public static AzFuseException AzCopyJobFailed(StorageAccount account, AzCopyExit exit, AzCopyJobSummary? summary, IReadOnlyList<string> errors, string logFolder) => new(
        $"azcopy failed to download from container '{account.ContainerName}': {DescribeJob(exit, summary, errors, logFolder)}")
    {
        IsTransient = true,
    };

    public static string DescribeJob(AzCopyExit exit, AzCopyJobSummary? summary, IReadOnlyList<string> errors, string logFolder) =>
        $"exit code {exit.ExitCode}, {(summary is null ? "no job summary" : summary.ToString())}. " +
        Quote(string.Join(" ", errors.TakeLast(3)), exit.StandardErrorTail) +
        $"azcopy's log is in '{logFolder}'.";

    public static AzFuseException AzCopyStalled(TimeSpan timeout, Exception? inner) => new(
        $"azcopy made no progress for {timeout} (no file scanned, transferred, failed or skipped, no byte moved) and was stopped; the storage service may be unreachable. On a very slow link, raise AzFuseOptions.TransferStallTimeout.", inner)
    {
        IsTransient = true,
    };

    public static AzFuseException AzCopyUploadFailed(BlobLocation blob, AzCopyExit exit, string logTail, string logFolder) => new(
        $"azcopy failed to upload '{blob.DisplayName}' (exit code {exit.ExitCode}). {Quote(exit.StandardErrorTail, logTail)}azcopy's log is in '{logFolder}'.")
    {
        IsTransient = true,
    };

    public static AzFuseException AzCopyUploadJobFailed(StorageAccount account, string description) => new(
        $"azcopy failed to upload to container '{account.ContainerName}': {description}")
    {
        IsTransient = true,
    };

    public static AzFuseException UploadNotConfirmed(BlobLocation blob, string detail) => new(
        $"The upload of '{blob.DisplayName}' could not be confirmed: {detail}.")
    {
        IsTransient = true,
    };

    public static AzFuseException StagedDataMissing(string logicalPath, string dataPath) => new(
        $"The written content of '{logicalPath}' is gone from '{dataPath}', so it cannot be uploaded (files staged in shared memory do not survive a reboot). Write the file again.")
    {
        IsContentMissing = true,
    };

    public static AzFuseTransferException UploadsFailed(IReadOnlyList<TransferFailure> failures) =>
        new(ListFailures(
            $"{failures.Count} written file(s) could not be uploaded. Each keeps its content and its pending-upload record; AzFile.ResumePendingUploads() tries again, unless its cause says otherwise:",
            failures), failures);

    public static AzFuseException BlobNotTransferred(BlobLocation blob, string? reason) => new(
        $"'{blob.DisplayName}' exists but azcopy did not download it: {reason ?? "no reason given"}.");

    public static AzFuseException LengthMismatch(BlobLocation blob, long expected, long actual) => new(
        $"The download of '{blob.DisplayName}' was incomplete: {actual.ToString(CultureInfo.InvariantCulture)} of {expected.ToString(CultureInfo.InvariantCulture)} bytes arrived. Nothing was cached; try again.")
    {
        IsTransient = true,
    };

    public static AzFuseException Md5Mismatch(BlobLocation blob) => new(
        $"The download of '{blob.DisplayName}' does not match the blob's Content-MD5. Nothing was cached; if this repeats, the blob or its stored MD5 is corrupt.");

    public static AzFuseTransferException PrepareFailed(IReadOnlyList<TransferFailure> failures)
    {
        var missing = failures.Count(f => f.IsNotFound);
        var summary = $"{failures.Count} file(s) could not be prepared" +
            (missing > 0 ? $" ({missing} do not exist remotely)" : string.Empty) + "; every other file was downloaded:";
        return new AzFuseTransferException(ListFailures(summary, failures), failures);
    }

    private static string ListFailures(string summary, IReadOnlyList<TransferFailure> failures)
    {
        const int Shown = 10;
        var sb = new StringBuilder(summary);
        foreach (var failure in failures.Take(Shown))
        {
            sb.Append("\n  ").Append(failure);
        }

        if (failures.Count > Shown)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\n  ... and {failures.Count - Shown} more (see the exception's Failures).");
        }

        return sb.ToString();
    }

    private static string Quote(string first, string second)
    {
        var text = string.Join(" ", new[] { first, second }.Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s.Trim()));
        return text.Length == 0 ? string.Empty : $"azcopy said: {Redaction.Redact(text)} ";
    }

    private static string SignInHint(StorageAccount account) => account.SignIn?.Kind switch
    {
        CredentialKind.ManagedIdentity => "Run where a managed identity is assigned (an Azure VM or VM scale set, Azure ML compute, an AKS node pool) and, for a user-assigned identity, set client_id to its client id; elsewhere choose another credential in the file.",
        CredentialKind.WorkloadIdentity => "Workload identity needs AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID and AZURE_TENANT_ID (AKS sets them in pods labelled azure.workload.identity/use: \"true\" whose service account names the identity).",
        CredentialKind.AzureCli => "Run 'az login' as the user that runs this process (install the Azure CLI if 'az' is not found), with --tenant if the account is in another tenant.",
        CredentialKind.ServicePrincipal => "Check tenant_id, client_id and the secret (or certificate) of the service principal in the file, and that the secret has not expired.",
        CredentialKind.Environment => "Set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH) in the environment.",
        CredentialKind.Default => "Set up one of them (environment variables, a workload or managed identity, or 'az login'), or name the one to use with 'credential:' in the file.",
        CredentialKind.Code => "The TokenCredential passed in AzFuseOptions failed; see the inner exception.",
        _ => string.Empty,
    };

    private static string Snake(CredentialKind kind) => kind switch
    {
        CredentialKind.ManagedIdentity => "managed_identity",
        CredentialKind.WorkloadIdentity => "workload_identity",
        CredentialKind.AzureCli => "azure_cli",
        CredentialKind.ServicePrincipal => "service_principal",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// Azure.Identity's message of a failed sign-in, made to read as one sentence or a list: without
    /// its links to troubleshooting guides, and the attempts of a chain of credentials joined by ';'.
    /// </summary>
    public static string CredentialReason(string message)
    {
        const string ChainPreamble = "The ChainedTokenCredential failed to retrieve a token from the included credentials.";
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.StartsWith("- ", StringComparison.Ordinal) ? l[2..] : l)
            .Select(l => TroubleshootingLink().Replace(l, string.Empty).Trim().TrimEnd('.'))
            .Where(l => l.Length > 0 && l != ChainPreamble.TrimEnd('.'))
            .ToList();
        var text = (message.Contains(ChainPreamble, StringComparison.Ordinal) ? "each way failed: " : string.Empty) + string.Join("; ", lines) + ".";
        return text.Length > 1200 ? text[..1200] + "..." : text;
    }

    /// <summary>The first lines of a message from outside (Azure.Identity's run long, with links to troubleshooting guides).</summary>
    private static string FirstLines(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var joined = string.Join(" ", lines.Take(3));
        return joined.Length > 600 ? joined[..600] + "..." : joined;
    }

    private static string SasExpiry(string sas) =>
        SasTokens.Expiry(sas) is { } expiry ? $" (it expires {expiry.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ})" : string.Empty;

    [System.Text.RegularExpressions.GeneratedRegex(@"\s*(See the troubleshooting guide for more information\.|To troubleshoot, visit)\s*https?://\S+", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex TroubleshootingLink();

    // ----- data safety ---------------------------------------------------------------------

    public static IOException NotAFolderInCache(string path, string root, bool isLink) => new(
        isLink
            ? $"'{path}' is a symbolic link, and AzFuse creates, writes and deletes only inside the cache folder '{root}' itself, never through a link (a file there would land outside it). Files a linked folder already holds are read through it; to cache others, remove the link or map a cache folder that is not linked."
            : $"'{path}' is not a folder, but AzFuse needs a folder there inside the cache folder '{root}'. Move the file away.");

    public static IOException DiskFull(string folder, string logicalPath, long? neededBytes, Exception inner)
    {
        var free = DiskSpace.FreeBytes(folder);
        var needed = neededBytes is { } n && n > 0 ? $"needs {n.ToString(CultureInfo.InvariantCulture)} more bytes" : "needs more room";
        var left = free is { } f ? $", and {f.ToString(CultureInfo.InvariantCulture)} bytes are free" : string.Empty;
        return new DiskFullException(
            $"The disk of '{folder}' is full: '{logicalPath}' {needed}{left}. No partial file is kept, and the blob and the cached copy are as they were. Free some space (AzFile.ClearCache, or max_cache_size in the mapping file) and try again.",
            inner);
    }

    public static IOException WriteFailedEarlier(string logicalPath, Exception failure) => new(
        $"The write of '{logicalPath}' was discarded because a write to its stream failed earlier ({failure.Message}): nothing was uploaded, and the blob and the cached copy are as they were. Write the file again.",
        failure);

    public static InvalidOperationException WriteAlreadyDiscarded(string logicalPath) => new(
        $"The write of '{logicalPath}' was discarded (Discard, or Dispose without Commit under RequireCommit), so it cannot be committed. Open the file again and write it. (A StreamWriter or ZipArchive that closes the stream discards it too: pass leaveOpen: true.)");

    public static AzFuseException PendingAccountNotLoaded(string account, Exception cause) => new(
        $"its storage account '{account}' could not be loaded, so this process cannot upload it (ResumePendingUploads() included): {cause.Message} Fix the account, then start the program again: the next process to use this cache uploads it.",
        cause);

    public static AzFuseException PendingRecordSkipped(Upload.JournalProblem problem) => new(
        $"{problem.Journal}:{problem.Line}: this pending-upload record was skipped because {problem.Reason}; every other record was resumed. If it was a write you need, write the file again. The line: {problem.Excerpt}");

    public static AzFuseTransferException ResumeSkippedRecords(int uploaded, IReadOnlyList<TransferFailure> failed, IReadOnlyList<TransferFailure> skipped)
    {
        var all = failed.Concat(skipped).ToList();
        var summary = $"{skipped.Count} pending-upload record(s) could not be read and were skipped (each is reported once, then gone from the journal); {uploaded.ToString(CultureInfo.InvariantCulture)} file(s) were uploaded" +
            (failed.Count > 0 ? $", and {failed.Count} could not be and stay pending (AzFile.ResumePendingUploads() tries again, unless a cause says otherwise)" : string.Empty) + ":";
        return new AzFuseTransferException(ListFailures(summary, all), all);
    }

    public static AzFuseConfigurationException YamlAliasesTooLarge(string path, int line, int limit) => new(
        $"{path}:{line}: the aliases (*name) in this file would add more than {limit.ToString(CultureInfo.InvariantCulture)} nodes, which AzFuse refuses so that no file takes long to load (an alias of an alias multiplies the nodes at every level). Write the values out instead of aliasing them.", path, line);

    // ----- large files ---------------------------------------------------------------------

    public static BlobChangedException BlobChanged(BlobLocation blob, string etag) => new(
        $"'{blob.DisplayName}' changed while it was being read: it is no longer the version {etag} that the read started from. No bytes of two versions were mixed; open it again to read the new version.");

    public static AzFuseException RangeMd5Mismatch(BlobLocation blob, long offset, long length) => new(
        $"Bytes {offset.ToString(CultureInfo.InvariantCulture)} to {(offset + length - 1).ToString(CultureInfo.InvariantCulture)} of '{blob.DisplayName}' do not match the MD5 the service sent with them: damaged on the way. They are fetched again; if this repeats, check the network path (a proxy that rewrites bodies?).")
    {
        IsTransient = true,
    };

    public static AzFuseException RangeMd5Missing(BlobLocation blob) => new(
        $"The storage service sent a range of '{blob.DisplayName}' without the MD5 that was asked for, so it cannot be verified. Check the endpoint in the storage account file: it should be an Azure Blob endpoint (or Azurite).");

    public static AzFuseException BlockDamaged(BlobLocation blob) => new(
        $"A block of '{blob.DisplayName}' reached the service damaged (its MD5 differs from the file's); it is sent again. If this repeats, check the network path.")
    {
        IsTransient = true,
    };

    public static AzFuseException TooLargeToUpload(BlobLocation blob, long length, long largest) => new(
        $"'{blob.DisplayName}' has {length.ToString(CultureInfo.InvariantCulture)} bytes, more than a block blob can hold ({largest.ToString(CultureInfo.InvariantCulture)} bytes: 50,000 blocks of 4,000 MiB). Split the file.");

    public static ArgumentOutOfRangeException OffsetNegative(long offset) => new(
        "offset", offset, "The offset must not be negative.");

    // ----- training jobs -------------------------------------------------------------------

    public static ArgumentException CommitNeedsMapping(string folder, bool enabled) => new(
        enabled
            ? $"'{folder}' is outside every mapping: a commit writes its manifest to the blob service, so the folder must be under a mapped prefix. Check the path, or add a mapping for it."
            : $"AzFuse is disabled (AZFUSE_USE_FUSE=0), and a commit writes its manifest to the blob service. Enable it to commit '{folder}'.",
        "folder");

    public static ArgumentException KeepLastNeedsParent(string folder) => new(
        $"KeepLast keeps the newest committed folders beside '{folder}', so '{folder}' needs a parent folder under the same mapping (such as ckpt/step-001000 under ckpt). Commit a sub-folder, or leave KeepLast unset.",
        "options");

    public static AzFuseException CommittedFileMissing(string logicalPath, BlobLocation blob) => new(
        $"'{logicalPath}' was written in this commit but its blob '{blob.DisplayName}' is not there (deleted meanwhile?): this rank's part was not written, so the folder stays uncommitted. Write the file again and complete the commit again.");

    // ----- python parity -------------------------------------------------------------------

    public static AzFuseConfigurationException EnvironmentSwitchInvalid(string variable, string value) => new(
        $"{variable} is '{value}'; write 1 to turn it on or 0 to turn it off (as the Python tool reads it, any whole number other than 0 is on).");

    public static AzFuseConfigurationException CollectionLimitInvalid(string variable, string value) => new(
        $"{variable} is '{value}'; write a part of the cache's disk below 1 (0.5 is half of it, the Python tool's default) or a number of bytes.");

    public static AzFuseConfigurationException YamlBaseInvalid(string path, int line, string problem) => new(
        $"{path}:{line}: _base_ {problem}. It names another YAML file, relative to this one's folder, whose values this file extends.", path, line);

    public static AzFuseConfigurationException DefaultMappingFileMissing(string path) => new(
        $"AzFuse is on but AZFUSE_CLOUD_FUSE_CONFIG_FILE is not set, and the default mapping file '{path}' (the Python tool's default, taken from the current directory '{Environment.CurrentDirectory}') does not exist. Set AZFUSE_CLOUD_FUSE_CONFIG_FILE to the YAML file that maps logical paths to cache folders and containers, create that file, or unset AZFUSE_USE_FUSE to work on local files.", path);

    public static AzFuseConfigurationException CacheFreeSpaceConflict(string cacheRoot, MountMapping first, MountMapping second) => new(
        $"The mappings at {first.Origin} and {second.Origin} share the cache folder '{cacheRoot}' but set different min_free_space values. The target is per cache folder: give them the same value, or set it on one of them only.", second.SourceFile, second.Line);

    public static ArgumentException PythonToolsPath(string logicalPath, string name) => new(
        $"The path '{logicalPath}' names '{name}', and names ending in .tmpwrite or .lockfile are the Python tool's temporary and lock files in a cache folder it may share; AzFuse never reads them as files. Rename the file.", "path");

    public static IOException LocalFileNotRegular(string logicalPath, string path) => new(
        $"The local file of '{logicalPath}' at '{path}' is no longer a regular file (a link or a folder was put in its place), so nothing was uploaded and the blob is as it was. Write the file itself at that path.");

    public static FileNotFoundException UploadSourceMissing(string localPath) => new(
        $"The local file '{localPath}' does not exist (or is a folder), so there is nothing to upload. Check the path; UploadDirectory uploads a folder.", localPath);

    public static DirectoryNotFoundException UploadFolderMissing(string localDirectory) => new(
        $"The local folder '{localDirectory}' does not exist, so there is nothing to upload. Check the path; Upload uploads one file.");

    public static AzFuseException BlobArchived(string what) => new(
        $"'{what}' is in the Archive tier, which cannot be read. Rehydrate it first: AzFile.SetAccessTier(path, AzFuseAccessTier.Hot) (or 'azfuse tier hot PATH'); that takes up to 15 hours (GetProperties shows the ArchiveStatus meanwhile), then read it again.");

    public static AzFuseException BlobLeased(string what) => new(
        $"'{what}' is leased (locked) by someone, so it cannot be written or deleted. Wait until the holder releases the lease, or break it (AzFile.BreakLease, 'azfuse lease break PATH') if the holder is gone.");

    public static AzFuseException LeaseHeld(string logicalPath, TimeSpan waited) => new(
        $"'{logicalPath}' is leased by someone else, and the lease was not released within {waited}. Wait longer (a larger timeout), or break the lease (AzFile.BreakLease, 'azfuse lease break PATH') if its holder is gone.");

    public static AzFuseException LeaseWasLost(string logicalPath, Exception reason) => new(
        $"The lease on '{logicalPath}' was lost while it was held: {reason.Message} Others may have acquired it since, so work done under it after that was not protected.", reason);

    public static ArgumentOutOfRangeException LeaseDurationInvalid(TimeSpan duration) => new(
        "duration", duration, "A lease lasts 15 to 60 seconds (renewed in the background while held), or Timeout.InfiniteTimeSpan.");

    public static AzFuseException CopyFailed(BlobLocation source, BlobLocation destination, string status, string? description) => new(
        $"The service-side copy of '{source.DisplayName}' to '{destination.DisplayName}' ended {status}{(string.IsNullOrEmpty(description) ? string.Empty : $" ({Redaction.Redact(description)})")}. The destination is as the service left it; copy again.");

    public static IOException CopyOverPendingWrite(string logicalPath) => new(
        $"'{logicalPath}' has a write that is not uploaded yet, so a copy over it now would be undone by that upload. Let the AsyncUpload scope finish (or call ResumePendingUploads), then copy.");
}
