using AzFuse.Diagnostics;

namespace AzFuse.Transfer;

/// <summary>
/// The azcopy command lines this library runs, built as argument lists. The URLs carry a SAS,
/// so <see cref="Display"/> is what may be logged. Every run has <c>--skip-version-check</c>:
/// otherwise azcopy asks the internet for a newer release each time it starts.
/// </summary>
internal static class AzCopyArguments
{
    /// <summary>
    /// One blob to stdout. Pipe mode skips the job lifecycle's 2-second completion poll
    /// (about 35 ms per small file here, against about 2 s for a job), but reports nothing:
    /// the caller checks length and MD5 itself.
    /// </summary>
    public static IReadOnlyList<string> PipeDownload(Uri signedBlobUri) =>
        ["copy", signedBlobUri.AbsoluteUri, "--from-to", "BlobPipe", "--log-level", "WARNING", "--skip-version-check"];

    /// <summary>
    /// Many blobs of one container into <paramref name="destination"/>, named in
    /// <paramref name="listOfFiles"/> relative to the container. <c>--as-subdir=false</c> puts
    /// <c>a/b.txt</c> at <c>destination/a/b.txt</c> rather than under a folder named after the container.
    /// Each file is checked against its blob's MD5 where it has one, unless <paramref name="verify"/> is off.
    /// </summary>
    public static IReadOnlyList<string> JobDownload(Uri signedContainerUri, string destination, string listOfFiles, bool verify = true) =>
    [
        "copy", signedContainerUri.AbsoluteUri, destination,
        "--from-to", "BlobLocal",
        "--list-of-files", listOfFiles,
        "--as-subdir=false",
        "--overwrite", "true",
        "--check-md5", verify ? "FailIfDifferent" : "NoCheck",
        "--output-type", "json",
        "--log-level", "WARNING", "--skip-version-check",
    ];

    /// <summary>
    /// stdin to one blob, replacing it. <c>--put-md5</c> asks for the MD5 of what was sent to be
    /// stored, though pipe mode does not always do it (the caller confirms, and sets it if missing).
    /// A pipe has no file name to take the Content-Type from, so it is given.
    /// </summary>
    public static IReadOnlyList<string> PipeUpload(Uri signedBlobUri, string contentType) =>
        ["copy", signedBlobUri.AbsoluteUri, "--from-to", "PipeBlob", "--put-md5", "--content-type", contentType, "--log-level", "WARNING", "--skip-version-check"];

    /// <summary>
    /// Every file under <paramref name="source"/> to the container, named by its path relative
    /// to <paramref name="source"/> (<c>--as-subdir=false</c>), replacing existing blobs.
    /// </summary>
    public static IReadOnlyList<string> JobUpload(string source, Uri signedContainerUri) =>
    [
        "copy", source, signedContainerUri.AbsoluteUri,
        "--from-to", "LocalBlob",
        "--recursive",
        "--as-subdir=false",
        "--overwrite", "true",
        "--put-md5",
        "--output-type", "json",
        "--log-level", "WARNING", "--skip-version-check",
    ];

    public static string Display(IReadOnlyList<string> arguments) =>
        string.Join(' ', arguments.Select(a => Redaction.Redact(a)));
}
