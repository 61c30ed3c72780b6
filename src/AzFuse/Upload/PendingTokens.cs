using System.Text.Json;

namespace AzFuse.Upload;

/// <summary>
/// The tokens of the writes still pending in every journal under one cache root, by any process,
/// kept up to date by reading only what each journal gained since the last look. "Is this write
/// still pending?" is asked for each file whose record says "a local write" that an eviction pass,
/// a revalidation or a batch's commit meets; reading every journal for each of them made an
/// eviction pass over files written in one scope cost the number of files times the journal.
/// </summary>
/// <remarks>
/// Journals only grow, except that an owner with nothing pending starts its journal over (truncates
/// it) and an adopter deletes the journal it took over. A journal shorter than what was read, or
/// whose last line read is no longer where it was, is read again from its start: every line holds a
/// record id or a write token of its own, so a journal started over and grown past the old length
/// cannot show the same line at the same place.
/// </remarks>
internal sealed class PendingTokens
{
    private readonly object _gate = new();
    private readonly string _folder;
    private readonly Dictionary<string, Tail> _tails = new(StringComparer.Ordinal);

    public PendingTokens(string pendingFolder)
    {
        _folder = pendingFolder;
    }

    /// <summary>Whether a record of any journal, as they are now, names the write <paramref name="token"/>.</summary>
    public bool Contains(Guid token)
    {
        lock (_gate)
        {
            Refresh();
            foreach (var tail in _tails.Values)
            {
                if (tail.Holds(token))
                {
                    return true;
                }
            }

            return false;
        }
    }

    private void Refresh()
    {
        var journals = Directory.Exists(_folder) ? Directory.GetFiles(_folder, "*" + UploadJournal.Extension) : [];
        foreach (var gone in _tails.Keys.Except(journals, StringComparer.Ordinal).ToList())
        {
            _tails.Remove(gone);
        }

        foreach (var journal in journals)
        {
            if (!_tails.TryGetValue(journal, out var tail))
            {
                _tails[journal] = tail = new Tail();
            }

            try
            {
                tail.CatchUp(journal);
            }
            catch (FileNotFoundException)
            {
                _tails.Remove(journal); // adopted and deleted meanwhile: its records live on in the adopter's
            }
        }
    }

    /// <summary>What one journal says is pending, and how far it was read.</summary>
    private sealed class Tail
    {
        private readonly Dictionary<long, Guid> _tokens = [];
        private readonly Dictionary<Guid, int> _counts = [];
        private long _offset;
        private byte[] _lastLine = [];
        private int _lines;

        public bool Holds(Guid token) => _counts.ContainsKey(token);

        /// <summary>Reads the complete lines added since the last look (a line still being written waits for the next).</summary>
        public void CatchUp(string path)
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            var length = file.Length;
            if (length < _offset || !LastLineStillAt(file))
            {
                Reset();
            }

            if (length == _offset)
            {
                return;
            }

            file.Position = _offset;
            var added = new byte[length - _offset];
            file.ReadExactly(added);
            int start = 0, last = -1, end;
            while ((end = Array.IndexOf(added, (byte)'\n', start)) >= 0)
            {
                Apply(added.AsSpan(start, end - start));
                last = start;
                start = end + 1;
            }

            if (last >= 0)
            {
                _lastLine = added[last..start];
                _offset += start;
            }
        }

        private bool LastLineStillAt(FileStream file)
        {
            if (_offset == 0)
            {
                return true;
            }

            if (file.Length < _offset)
            {
                return false;
            }

            var there = new byte[_lastLine.Length];
            file.Position = _offset - _lastLine.Length;
            file.ReadExactly(there);
            return there.AsSpan().SequenceEqual(_lastLine);
        }

        private void Reset()
        {
            _tokens.Clear();
            _counts.Clear();
            _offset = 0;
            _lastLine = [];
            _lines = 0;
        }

        // As UploadJournal.Read counts it: a record by its id (or, without one, its line), removed by a completion.
        private void Apply(ReadOnlySpan<byte> line)
        {
            _lines++;
            JournalEntry? entry;
            try
            {
                entry = line.IndexOfAnyExcept(" \t\r"u8) < 0 ? null : JsonSerializer.Deserialize(line, JournalJson.Default.JournalEntry);
            }
            catch (JsonException)
            {
                return; // reported by the resume that reads it; no token in it either way
            }

            if (entry?.Add is { } add)
            {
                var key = add.Id > 0 ? add.Id : -_lines;
                Forget(key);
                _tokens[key] = add.Token;
                _counts[add.Token] = _counts.GetValueOrDefault(add.Token) + 1;
            }

            foreach (var id in entry?.Done ?? [])
            {
                Forget(id);
            }
        }

        private void Forget(long key)
        {
            if (_tokens.Remove(key, out var token) && --_counts[token] == 0)
            {
                _counts.Remove(token);
            }
        }
    }
}
