using System.Text.Json.Serialization;

namespace AzFuse.Upload;

/// <summary>
/// A closed write whose upload is not yet confirmed, as recorded in an <see cref="UploadJournal"/>.
/// It names the remote blob by storage account and blob name (not by logical path, which may have
/// been relative to a working folder long gone) and the local file that holds the content.
/// </summary>
/// <param name="Id">Unique within the process that wrote the record; later writes have larger ids.</param>
/// <param name="StorageAccount">The storage account file's name (<c>storage_account</c> in the mapping).</param>
/// <param name="BlobName">The blob's name in the account's container.</param>
/// <param name="LogicalPath">The path the application wrote, for messages.</param>
/// <param name="CacheRoot">The cache folder of the mapping; its work folder holds the journal and azcopy's logs.</param>
/// <param name="DataPath">The file to upload: the cache file, or a file staged in shared memory.</param>
/// <param name="Staged">Whether <paramref name="DataPath"/> is a staged copy, deleted once uploaded.</param>
/// <param name="Written">When the write was closed; among records for one blob the newest content wins.</param>
/// <param name="Token">Names this write for good (ids change when a record is adopted): the cache file's record carries it until the upload is confirmed.</param>
/// <param name="Content">
/// The written bytes themselves, for a small write in an AsyncUpload scope whose data file was not
/// fsync'd (see <c>FileWriter.CommitAsync</c>): after a power loss they put the file back. Read only
/// by that recovery; <see cref="UploadJournal.Read"/> leaves them out otherwise (see <see cref="HadContent"/>).
/// </param>
internal sealed record PendingUpload(
    long Id,
    [property: JsonConverter(typeof(SharedStringConverter))] string StorageAccount,
    string BlobName,
    string LogicalPath,
    [property: JsonConverter(typeof(SharedStringConverter))] string CacheRoot,
    string DataPath,
    bool Staged,
    DateTimeOffset Written,
    Guid Token = default,
    byte[]? Content = null)
{
    /// <summary>
    /// The record's id in the journal that holds it. Settable for one use only: an adopted record is
    /// renumbered in place as it moves into this process's journal (<see cref="PendingStore.AdoptAbandoned"/>),
    /// before anything else holds it. A copy of each instead left as many records behind as garbage
    /// (11 MB of a resume of 100,000 files), read long enough before to have reached the oldest generation.
    /// </summary>
    [JsonPropertyOrder(-1)] // first in each line, where it was before the property was declared here
    public long Id { get; set; } = Id;

    /// <summary>Whether the journal line held <see cref="Content"/>, left out when read: its data file is not known to be flushed.</summary>
    [JsonIgnore]
    public bool HadContent { get; init; }

    /// <summary>Identifies the remote blob: writes with the same key replace each other.</summary>
    [JsonIgnore]
    public PendingKey Key => new(StorageAccount, BlobName);
}

/// <summary>
/// The blob a pending write goes to, by storage account name and blob name (ordinal). A pair of the
/// record's own strings rather than one string joined from them: the uploader keeps one per blob
/// with pending content, in its table and its queue, and a joined copy per blob (and a new one per
/// look-up) was a tenth of a resume's memory with 100,000 files pending.
/// </summary>
internal readonly record struct PendingKey(string StorageAccount, string BlobName);
