using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using AzFuse.IO;

namespace AzFuse.Upload;

/// <summary>
/// One process's write-ahead log of pending uploads under one cache root
/// (<c>.azfuse/pending/&lt;id&gt;.journal</c>): one JSON line per closed write, fsync'd before the
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

    /// <summary>Starts a new journal in <paramref name="folder"/>, owned by this process.</summary>
    public static UploadJournal Create(string folder, TimeProvider time)
    {
        Directory.CreateDirectory(folder);
        var path = System.IO.Path.Combine(folder, $"{time.GetUtcNow():yyyyMMddTHHmmss}-{Environment.ProcessId}-{Guid.NewGuid():N}{Extension}");

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
    /// The pending records of a journal: every recorded write not later marked complete. A torn
    /// last line (the writer died mid-append, so its Dispose never returned) is ignored.
    /// </summary>
    public static List<PendingUpload> ReadPending(string journalPath)
    {
        var pending = new Dictionary<long, PendingUpload>();
        foreach (var line in File.ReadLines(journalPath))
        {
            JournalEntry? entry;
            try
            {
                entry = JsonSerializer.Deserialize(line, JournalJson.Default.JournalEntry);
            }
            catch (JsonException)
            {
                continue;
            }

            if (entry?.Add is { } add)
            {
                pending[add.Id] = add;
            }

            foreach (var id in entry?.Done ?? [])
            {
                pending.Remove(id);
            }
        }

        return [.. pending.Values];
    }

    private static byte[] Encode(JournalEntry entry)
    {
        var json = JsonSerializer.Serialize(entry, JournalJson.Default.JournalEntry);
        return Encoding.UTF8.GetBytes(json + "\n");
    }
}

/// <summary>One journal line: a recorded write, or the ids of confirmed uploads.</summary>
internal sealed record JournalEntry(PendingUpload? Add, long[]? Done);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JournalEntry))]
internal sealed partial class JournalJson : JsonSerializerContext;
