namespace AzFuse.Configuration;

/// <summary>
/// One entry of the mapping file: logical paths under <see cref="Local"/> are cached under
/// <see cref="Cache"/> and stored as blobs under <see cref="Remote"/> in the container of
/// <see cref="StorageAccount"/>. The field names are those of the Python tool's YAML.
/// </summary>
internal sealed record MountMapping(
    string Local,
    string Remote,
    string Cache,
    string StorageAccount,
    string SourceFile,
    int Line)
{
    /// <summary>Where this mapping was declared, for error messages: "file:line".</summary>
    public string Origin => Line > 0 ? $"{SourceFile}:{Line}" : SourceFile;
}
