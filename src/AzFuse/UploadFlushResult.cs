namespace AzFuse;

/// <summary>What <see cref="AzFuseClient.FlushUploads"/> achieved before its deadline.</summary>
public sealed class UploadFlushResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="uploaded">How many files were uploaded.</param>
    /// <param name="notUploaded">The logical paths of those that were not.</param>
    public UploadFlushResult(int uploaded, IReadOnlyList<string> notUploaded)
    {
        Uploaded = uploaded;
        NotUploaded = notUploaded;
    }

    /// <summary>How many files were uploaded (and confirmed).</summary>
    public int Uploaded { get; }

    /// <summary>
    /// The logical paths of the written files that are not uploaded: they failed, or were still
    /// under way at the deadline. Their content and pending-upload records stay, for
    /// <see cref="AzFuseClient.ResumePendingUploads"/> (or the next process on this machine).
    /// </summary>
    public IReadOnlyList<string> NotUploaded { get; }

    /// <summary>Whether everything was uploaded.</summary>
    public bool IsComplete => NotUploaded.Count == 0;
}
