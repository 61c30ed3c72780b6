using System.Collections.Concurrent;
using AzFuse.Cache;
using AzFuse.IO;

namespace AzFuse.Upload;

/// <summary>
/// This process's upload journals, one per cache root, created on the first write there, and
/// access to the journals other processes left behind.
/// </summary>
internal sealed class PendingStore : IProcessExitCleanup
{
    private readonly ConcurrentDictionary<string, Lazy<UploadJournal>> _journals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PendingTokens> _tokens = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly PendingRecordCheck _check;
    private long _lastId;

    public PendingStore(TimeProvider time, PendingRecordCheck check)
    {
        _time = time;
        _check = check;
        ProcessExitCleanup.Register(this);
    }

    /// <summary>A clean exit leaves no empty journal: each with nothing pending is deleted.</summary>
    public void CleanUpAtExit()
    {
        foreach (var journal in _journals.Values.Where(j => j.IsValueCreated))
        {
            journal.Value.CloseIfIdle();
        }
    }

    /// <summary>A new record id: larger than every id this process handed out before.</summary>
    public long NextId() => Interlocked.Increment(ref _lastId);

    public UploadJournal JournalFor(string cacheRoot) =>
        _journals.GetOrAdd(cacheRoot, root => new Lazy<UploadJournal>(() =>
        {
            ContainedFolders.Create(root, CacheLayout.PendingFolder(root));
            return UploadJournal.Create(CacheLayout.PendingFolder(root), _time);
        })).Value;

    /// <summary>
    /// Takes over every journal under <paramref name="cacheRoot"/> whose owner is gone: its pending
    /// records are copied into this process's journal (durably) and the old journal is deleted.
    /// A crash in between leaves the records in both, which costs a repeated upload, never a lost one.
    /// </summary>
    /// <returns>
    /// The adopted records, as now recorded in this process's journal, and the lines that were
    /// skipped (unreadable, or records that cannot be made whole): those are not copied, so they
    /// are reported once and never block a later resume.
    /// </returns>
    public (List<PendingUpload> Adopted, List<JournalProblem> Skipped) AdoptAbandoned(string cacheRoot)
    {
        var adopted = new List<PendingUpload>();
        var skipped = new List<JournalProblem>();
        foreach (var (journalPath, owner) in LockAbandoned(cacheRoot))
        {
            using (owner)
            {
                var (records, problems) = Valid(journalPath, UploadJournal.Read(journalPath), cacheRoot);
                skipped.AddRange(problems);
                if (records.Count > 0)
                {
                    // A record that held its bytes (a small write in a scope) points at a file
                    // that was never flushed; the copy does not take the bytes along, so the files
                    // are flushed first, all with one call. Its owner died in this boot, or a
                    // restart's recovery has put them back already (RestoreContent).
                    if (records.Any(r => r.HadContent))
                    {
                        NativeFiles.TrySyncFileSystem(cacheRoot);
                    }

                    // Oldest first (a stable order: records of one moment keep the journal's), then new
                    // ids in place: the records were read for this and are held by nothing else yet.
                    records = records.OrderBy(r => r.Written).ThenBy(r => r.Id).ToList();
                    foreach (var record in records)
                    {
                        record.Id = NextId();
                    }

                    JournalFor(cacheRoot).AppendAll(records);
                    adopted.AddRange(records);
                }

                File.Delete(journalPath);
                File.Delete(owner.Path);
            }
        }

        return (adopted, skipped);
    }

    /// <summary>Whether another process left pending records under <paramref name="cacheRoot"/> (checked when the library starts).</summary>
    public bool HasAbandoned(string cacheRoot)
    {
        foreach (var (journalPath, owner) in LockAbandoned(cacheRoot))
        {
            using (owner)
            {
                if (new FileInfo(journalPath).Length > 0)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// The files under <paramref name="cacheRoot"/> that hold content not yet uploaded, by any
    /// process; also those of records that cannot be used, which are kept until reported.
    /// </summary>
    public HashSet<string> PendingDataPaths(string cacheRoot) =>
        ReadAll(cacheRoot).Select(r => r.Record.DataPath).Where(p => !string.IsNullOrEmpty(p)).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Whether a record of any process, usable or not, names the write <paramref name="token"/> (the
    /// cache record's <c>PendingWrite</c>): asked per file, so answered from what each journal gained
    /// since the last question (see <see cref="PendingTokens"/>), not from a read of every journal.
    /// </summary>
    public bool IsPending(string cacheRoot, Guid token) =>
        _tokens.GetOrAdd(cacheRoot, root => new PendingTokens(CacheLayout.PendingFolder(root))).Contains(token);

    /// <summary>
    /// Whether a write of the blob under <paramref name="cacheRoot"/> is not yet uploaded, by any
    /// process. Only records that name the blob, or name none (and may be made whole to name it),
    /// are checked: checking each record looks at its data file's folders.
    /// </summary>
    public bool HasPendingWrite(string cacheRoot, string storageAccount, string blobName) =>
        ReadAll(cacheRoot)
            .Where(r => r.Record.BlobName == blobName || string.IsNullOrEmpty(r.Record.BlobName) || string.IsNullOrEmpty(r.Record.StorageAccount))
            .Select(r => _check.Check(r.Record, cacheRoot).Record)
            .Any(r => r is not null && r.BlobName == blobName && r.StorageAccount == storageAccount);

    /// <summary>The writes under <paramref name="cacheRoot"/> not yet uploaded, by any process, each complete (see <see cref="PendingRecordCheck"/>).</summary>
    public List<PendingUpload> PendingRecords(string cacheRoot) =>
        ReadAll(cacheRoot).Select(r => _check.Check(r.Record, cacheRoot).Record).OfType<PendingUpload>().ToList();

    /// <summary>
    /// After a restart that may have lost what was not flushed: every file whose newest pending
    /// write held its bytes in the journal (<see cref="PendingUpload.Content"/>) is made to hold
    /// them again, flushed. Called before anything else in this boot uses <paramref name="cacheRoot"/>
    /// (see <c>UnsyncedFills.Recover</c>), so no newer write of these files can exist yet.
    /// </summary>
    /// <returns>The files rewritten.</returns>
    public int RestoreContent(string cacheRoot)
    {
        // Which record is newest for each file, over every journal: by when it was written, then by
        // id (one process's order). Two reads, so that no more than one journal's bytes are held.
        var newest = new Dictionary<string, (string Journal, PendingUpload Record)>(StringComparer.Ordinal);
        foreach (var journal in Journals(cacheRoot))
        {
            foreach (var (record, _) in ReadIfThere(journal, withContent: false))
            {
                if (!string.IsNullOrEmpty(record.DataPath) &&
                    (!newest.TryGetValue(record.DataPath, out var known) || (record.Written, record.Id).CompareTo((known.Record.Written, known.Record.Id)) > 0))
                {
                    newest[record.DataPath] = (journal, record);
                }
            }
        }

        // Each file is written in a scratch folder of the cache's writing folder, as a write is, and
        // renamed into place: one left by a crash midway is pruned by the next start, not left as
        // litter beside a cache file.
        var restored = 0;
        ScratchFolder? scratch = null;
        foreach (var group in newest.Values.Where(n => n.Record.HadContent).GroupBy(n => n.Journal))
        {
            var wanted = group.Select(n => n.Record.Id).ToHashSet();
            foreach (var (record, _) in ReadIfThere(group.Key, withContent: true))
            {
                // Only a record that names a file in the cache (as every record this library writes
                // does) may be written back: a damaged journal must not write anywhere else.
                if (record.Content is { } content && wanted.Remove(record.Id) && !record.Staged &&
                    _check.Check(record, cacheRoot).Record is not null &&
                    WriteBack(cacheRoot, record.DataPath, content, record.Written, () => (scratch ??= ScratchFolder.Create(CacheLayout.WritingFolder(cacheRoot), keepAbandonedFor: TimeSpan.Zero, _time)).Path))
                {
                    restored++;
                }
            }
        }

        scratch?.Dispose();
        return restored;
    }

    /// <summary>
    /// Makes <paramref name="path"/> hold <paramref name="content"/>, flushed, unless it does already
    /// or was written after the record (<paramref name="written"/>): by a write that needs no record,
    /// such as a small synchronous one of another process, sent before it was renamed there.
    /// </summary>
    private static bool WriteBack(string cacheRoot, string path, byte[] content, DateTimeOffset written, Func<string> scratchFolder)
    {
        var existing = new FileInfo(path);
        if (existing.Exists && existing.LinkTarget is null &&
            (existing.LastWriteTimeUtc > written.UtcDateTime || (existing.Length == content.Length && File.ReadAllBytes(path).AsSpan().SequenceEqual(content))))
        {
            return false;
        }

        var folder = Path.GetDirectoryName(path)!;
        ContainedFolders.Create(cacheRoot, folder);
        var temporary = Path.Combine(scratchFolder(), Guid.NewGuid().ToString("N"));
        ContainedFolders.WriteNewFile(temporary, content);
        Durability.FlushFiles([temporary]);
        File.Move(temporary, path, overwrite: true);
        NativeFiles.FlushFolder(folder);
        return true;
    }

    private (List<PendingUpload> Records, List<JournalProblem> Problems) Valid(string journal, JournalContents contents, string cacheRoot)
    {
        var records = new List<PendingUpload>();
        var problems = new List<JournalProblem>(contents.Problems);
        foreach (var (record, line) in contents.Records)
        {
            var (valid, problem) = _check.Check(record, cacheRoot);
            if (valid is not null)
            {
                records.Add(valid);
            }
            else
            {
                problems.Add(new JournalProblem(journal, line, problem!, record.ToString()));
            }
        }

        return (records, problems);
    }

    private List<(PendingUpload Record, int Line)> ReadAll(string cacheRoot)
    {
        var records = new List<(PendingUpload, int)>();
        var folder = CacheLayout.PendingFolder(cacheRoot);
        if (!Directory.Exists(folder))
        {
            return records;
        }

        foreach (var journal in Journals(cacheRoot))
        {
            records.AddRange(ReadIfThere(journal, withContent: false));
        }

        return records;
    }

    private static IEnumerable<string> Journals(string cacheRoot)
    {
        var folder = CacheLayout.PendingFolder(cacheRoot);
        return Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*" + UploadJournal.Extension) : [];
    }

    private static IReadOnlyList<(PendingUpload Record, int Line)> ReadIfThere(string journal, bool withContent)
    {
        try
        {
            return UploadJournal.Read(journal, withContent).Records;
        }
        catch (FileNotFoundException)
        {
            // Adopted and removed meanwhile; its records live on in the adopter's journal.
            return [];
        }
    }

    private IEnumerable<(string JournalPath, FileLock Owner)> LockAbandoned(string cacheRoot)
    {
        var folder = CacheLayout.PendingFolder(cacheRoot);
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        var mine = _journals.TryGetValue(cacheRoot, out var lazy) && lazy.IsValueCreated ? lazy.Value.Path : null;
        foreach (var journal in Directory.EnumerateFiles(folder, "*" + UploadJournal.Extension).ToList())
        {
            if (journal == mine || FileLock.TryAcquire(UploadJournal.LockPathOf(journal)) is not { } owner)
            {
                // Ours, or its owner is alive and will upload it.
                continue;
            }

            if (!File.Exists(journal))
            {
                // Adopted by someone else between the listing and the lock (our lock file is a new, stray one).
                File.Delete(owner.Path);
                owner.Dispose();
                continue;
            }

            yield return (journal, owner);
        }
    }
}
