namespace AzFuse;

/// <summary>What <see cref="AzFuseClient.UploadDirectory"/> did.</summary>
public sealed class UploadDirectoryResult
{
    /// <summary>The files uploaded.</summary>
    public int FilesUploaded { get; init; }

    /// <summary>The files skipped because their blob already had the same length and MD5.</summary>
    public int FilesSkipped { get; init; }

    /// <summary>The bytes uploaded.</summary>
    public long BytesUploaded { get; init; }
}
