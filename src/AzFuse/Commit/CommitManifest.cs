using System.Text.Json.Serialization;

namespace AzFuse.Commit;

/// <summary>
/// What a committed folder holds, as its manifest (and each rank's part) says: every file, its
/// length and its MD5 as the service stored them. Written last, so its presence means complete.
/// </summary>
/// <param name="Version">The format; 1.</param>
/// <param name="Rank">The rank that wrote a part; <see langword="null"/> in the folder's manifest.</param>
/// <param name="WorldSize">How many ranks wrote parts of the folder.</param>
/// <param name="Attempt">The attempt the parts belong to (<see cref="CommitOptions.AttemptId"/>), when there is one.</param>
/// <param name="Committed">When it was written.</param>
/// <param name="Files">The files, by their names relative to the folder.</param>
internal sealed record CommitManifest(int Version, int? Rank, int WorldSize, string? Attempt, DateTimeOffset Committed, IReadOnlyList<CommitManifestFile> Files);

/// <summary>One file of a manifest.</summary>
/// <param name="Name">Its name relative to the committed folder, with '/'.</param>
/// <param name="Length">Its length.</param>
/// <param name="Md5">Its Content-MD5 as stored, base64; <see langword="null"/> when the blob has none.</param>
/// <param name="ETag">Its entity tag: what identifies the version when there is no MD5.</param>
internal sealed record CommitManifestFile(string Name, long Length, string? Md5, string? ETag);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(CommitManifest))]
internal sealed partial class CommitManifestJson : JsonSerializerContext;
