namespace AzFuse.Upload;

/// <content>What the uploader knows of one blob with pending content, kept small: a resume holds one per file, all at once.</content>
internal sealed partial class Uploader
{
    private sealed class KeyState(PendingItem latest)
    {
        // Fields, not properties: Few is a struct, changed in place.
        public Few<PendingItem> Records;

        public Few<UploadTicket> Tickets;

        public PendingItem Latest { get; set; } = latest;

        public bool Queued { get; set; }

        /// <summary>Whether the key is in the loop's queue (a blob marked <see cref="Queued"/> while in flight is not).</summary>
        public bool InQueue { get; set; }

        public bool InFlight { get; set; }

        public TaskCompletionSource? Idle { get; set; }

        /// <summary>The length of <see cref="Latest"/>'s content, counted in <c>_pendingBytes</c> while records remain.</summary>
        public long Bytes { get; set; }
    }

    /// <summary>
    /// A blob's pending records or waiters: nearly always one of each, kept in a field, with a list
    /// only from the second on. Two lists per blob were some 160 bytes of each file in a resume of
    /// 100,000 files, all held at once. A mutable struct: used only as a field, never copied.
    /// </summary>
    private struct Few<T>
        where T : class
    {
        private T? _one;
        private List<T>? _many;

        public readonly int Count => _many?.Count ?? (_one is null ? 0 : 1);

        public readonly IEnumerable<T> Items => _many ?? (_one is null ? [] : [_one]);

        public void Add(T item)
        {
            if (_many is not null)
            {
                _many.Add(item);
            }
            else if (_one is null)
            {
                _one = item;
            }
            else
            {
                _many = [_one, item];
                _one = null;
            }
        }

        /// <summary>Removes the items that <paramref name="match"/> and returns them.</summary>
        public List<T> RemoveWhere(Func<T, bool> match)
        {
            if (_many is null)
            {
                if (_one is null || !match(_one))
                {
                    return [];
                }

                var one = _one;
                _one = null;
                return [one];
            }

            var removed = _many.Where(match).ToList();
            _many.RemoveAll(item => match(item));
            if (_many.Count == 0)
            {
                _many = null;
            }

            return removed;
        }
    }
}
