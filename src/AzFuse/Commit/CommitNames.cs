using System.Security.Cryptography;
using System.Text;

namespace AzFuse.Commit;

/// <summary>
/// Where a commit's records live inside the committed folder, so that deleting the folder deletes
/// them too: the manifest beside the files (as Hadoop's <c>_SUCCESS</c>), the ranks' parts in a
/// sub-folder whose names say which rank, of how many, and of which attempt each part is; one
/// listing of that sub-folder tells whether every part is in, without reading any.
/// </summary>
internal static class CommitNames
{
    public const string Manifest = ".azfuse-commit.json";

    public const string PartsFolder = ".azfuse-commit/";

    public static string Part(int rank, int worldSize, string? attempt) =>
        FormattableString.Invariant($"{PartsFolder}part-{rank:D5}-of-{worldSize:D5}{AttemptSuffix(attempt)}.json");

    /// <summary>Whether a name relative to the folder is one of the commit's own records rather than a file of the checkpoint.</summary>
    public static bool IsCommitRecord(string relativeName) =>
        relativeName == Manifest || relativeName.StartsWith(PartsFolder, StringComparison.Ordinal);

    // An attempt id comes from the environment and may hold any character: a blob name gets a hash of it.
    private static string AttemptSuffix(string? attempt) =>
        attempt is null ? string.Empty : "." + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(attempt)), 0, 8).ToLowerInvariant();
}
