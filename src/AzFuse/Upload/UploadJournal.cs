using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using AzFuse.IO;

namespace AzFuse.Upload;

/// <summary>
/// One process's write-ahead log of pending uploads under one cache root
/// (<c>.azfuse/pending/.&lt;id&gt;.journal</c>): one JSON line per closed write, fsync'd before the
/// write's Dispose returns, and one line per confirmed upload. The process holds the journal's
/// lock file for as long as it lives; once it is gone, even by <c>kill -9</c>, another process
/// can take the lock, adopt the journal's pending records and upload them. This is the
/// resumable-state idea of CLFSLoad's <c>local_state_path</c>.
/// </summary>
internal sealed class UploadJournal : IDisposable
{
    public const string Extension = ".journal";

    private readonly object _gate = new();
    private readonly FileStream _file;
    private readonly FileLock _owner;
    private readonly HashSet<long> _live = [];

    private UploadJournal(string path, FileStream file, FileLock owner)
    {
        Path = path;
        _file = file;
        _owner = owner;
    }

    public string Path { get; }

    /// <summary>
    /// Up to this size, a journal takes written bytes into its lines (<see cref="PendingUpload.Content"/>):
    /// beyond it, writes are flushed in their own files, so that a journal of a long scope stays small
    /// (it starts over only when nothing in it is pending).
    /// </summary>
    public const long ContentBudget = 64L << 20;

    /// <summary>How large the journal file is now.</summary>
    public long Size
    {
        get
        {
            lock (_gate)
            {
                return _file.Length;
            }
        }
    }

    /// <summary>Starts a new journal in <paramref name="folder"/>, owned by this process.</summary>
    public static UploadJournal Create(string folder, TimeProvider time)
    {
        Directory.CreateDirectory(folder);
        // Named with a leading '.', as every file of the work folder, so that the Python tool's
        // garbage collector leaves it alone in a shared cache (see CacheLayout); journals of
        // earlier versions, without it, are still read and adopted.
        var path = System.IO.Path.Combine(folder, $".{time.GetUtcNow():yyyyMMddTHHmmss}-{Environment.ProcessId}-{Guid.NewGuid():N}{Extension}");

        // The lock exists before the journal, so no one can adopt a journal whose owner lives.
        var owner = FileLock.TryAcquire(LockPathOf(path)) ?? throw new IOException($"Could not lock the new upload journal '{path}'.");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0);
        NativeFiles.FlushFolder(folder);
        return new UploadJournal(path, file, owner);
    }

    /// <summary>Records a closed write durably: when this returns, the record survives a crash.</summary>
    public void Append(PendingUpload record)
    {
        var line = Encode(new JournalEntry(record, null));
        lock (_gate)
        {
            _file.Write(line);
            _file.Flush(flushToDisk: true);
            _live.Add(record.Id);
        }
    }

    /// <summary>
    /// Records many writes durably with one flush (records adopted from another journal): when this
    /// returns, all of them survive a crash. One fsync per record cost 3.5 ms each here, which made
    /// adopting 100,000 records take six minutes before a single upload began.
    /// </summary>
    public void AppendAll(IReadOnlyCollection<PendingUpload> records)
    {
        if (records.Count == 0)
        {
            return;
        }

        // Written a megabyte at a time: the journal file itself is unbuffered.
        var lines = new MemoryStream();
        lock (_gate)
        {
            foreach (var record in records)
            {
                // Straight into the buffer: a string and a byte array per line were garbage by the 100,000.
                JsonSerializer.Serialize(lines, new JournalEntry(record, null), JournalJson.Default.JournalEntry);
                lines.WriteByte((byte)'\n');
                if (lines.Length >= 1 << 20)
                {
                    _file.Write(lines.GetBuffer(), 0, (int)lines.Length);
                    lines.SetLength(0);
                }
            }

            _file.Write(lines.GetBuffer(), 0, (int)lines.Length);
            _file.Flush(flushToDisk: true);
            _live.EnsureCapacity(_live.Count + records.Count);
            _live.UnionWith(records.Select(r => r.Id));
        }
    }

    /// <summary>Records confirmed uploads. Not fsync'd: if this line is lost, the upload is repeated, never skipped.</summary>
    public void Complete(IReadOnlyCollection<long> ids)
    {
        if (ids.Count == 0)
        {
            return;
        }

        var line = Encode(new JournalEntry(null, [.. ids]));
        lock (_gate)
        {
            _live.ExceptWith(ids);
            if (_live.Count == 0)
            {
                // Nothing pending: start the file over instead of letting it grow for the life of the process.
                _file.SetLength(0);
                _file.Position = 0;
            }
            else
            {
                _file.Write(line);
            }
        }
    }

    /// <summary>
    /// At a clean exit: deletes the journal (and releases its lock, which deletes the lock file) when
    /// nothing in it is pending; otherwise keeps both, for the next process to adopt.
    /// </summary>
    /// <returns>Whether the journal was closed.</returns>
    public bool CloseIfIdle()
    {
        lock (_gate)
        {
            if (_live.Count > 0)
            {
                return false;
            }

            _file.Dispose();
            File.Delete(Path);
            _owner.Dispose();
            return true;
        }
    }

    public void Dispose()
    {
        _file.Dispose();
        _owner.Dispose();
    }

    public static string LockPathOf(string journalPath) => journalPath + ".lock";

    /// <summary>
    /// The pending records of a journal: every recorded write not later marked complete, with the
    /// line it is on, and every line that could not be read. Records are as written: any field may
    /// be missing (see <see cref="PendingRecordCheck"/>). One bad line never hides the others.
    /// A record's written bytes are kept only with <paramref name="withContent"/> (otherwise it is
    /// marked <see cref="PendingUpload.HadContent"/>): nothing else needs them, and a journal's worth
    /// of them would be held for as long as its records are.
    /// </summary>
    public static JournalContents Read(string journalPath, bool withContent = false)
    {
        var pending = new Dictionary<long, (PendingUpload Record, int Line)>();
        var problems = new List<JournalProblem>();
        var number = 0;
        foreach (var line in File.ReadLines(journalPath))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JournalEntry? entry;
            try
            {
                entry = JsonSerializer.Deserialize(line, JournalJson.Default.JournalEntry);
            }
            catch (JsonException ex)
            {
                // Typically the last line of a writer killed mid-append (whose Dispose never
                // returned), but reported wherever it is: it may be the only trace of a write.
                problems.Add(new JournalProblem(journalPath, number, $"not a readable record ({ex.Message})", line));
                continue;
            }

            if (entry?.Add is { } add)
            {
                if (add.Content is not null && !withContent)
                {
                    add = add with { Content = null, HadContent = true };
                }

                // Keyed by id; a record without one (id 0) cannot collide with another.
                pending[add.Id > 0 ? add.Id : -number] = (add, number);
            }
            else if (entry?.Done is null)
            {
                problems.Add(new JournalProblem(journalPath, number, "neither a recorded write nor a completion", line));
            }

            foreach (var id in entry?.Done ?? [])
            {
                pending.Remove(id);
            }
        }

        return new JournalContents([.. pending.Values], problems);
    }

    private static byte[] Encode(JournalEntry entry)
    {
        var json = JsonSerializer.Serialize(entry, JournalJson.Default.JournalEntry);
        return Encoding.UTF8.GetBytes(json + "\n");
    }
}

/// <summary>One journal line: a recorded write, or the ids of confirmed uploads.</summary>
internal sealed record JournalEntry(PendingUpload? Add, long[]? Done);

/// <summary>What a journal holds: its pending records, each with its line, and the lines that could not be used.</summary>
internal sealed record JournalContents(IReadOnlyList<(PendingUpload Record, int Line)> Records, IReadOnlyList<JournalProblem> Problems);

/// <summary>A journal line that was skipped, and why.</summary>
/// <param name="Journal">The journal file.</param>
/// <param name="Line">The line, from 1.</param>
/// <param name="Reason">What is wrong with it.</param>
/// <param name="Text">The line itself (records hold paths and names, never secrets).</param>
internal sealed record JournalProblem(string Journal, int Line, string Reason, string Text)
{
    /// <summary>The line, shortened for a message.</summary>
    public string Excerpt => Text.Length <= 300 ? Text : Text[..300] + "...";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JournalEntry))]
internal sealed partial class JournalJson : JsonSerializerContext;
