using AzFuse.Cache;
using AzFuse.Diagnostics;
using AzFuse.IO;

namespace AzFuse.Upload;

/// <summary>Committing a closed write: sent first (small, synchronous), or flushed, recorded and uploaded or queued.</summary>
internal sealed partial class FileWriter
{
    /// <summary>
    /// The largest write in a scope whose bytes go into its journal line (see <see cref="ContentToJournal"/>):
    /// small files, where the fsyncs of the file and its folder cost more than the bytes themselves.
    /// </summary>
    internal const int JournaledContentLimit = 64 * 1024;

    /// <summary>
    /// Puts a closed write in place and records it, then uploads it (synchronous write) or queues
    /// it (AsyncUpload scope). When this returns, the write is durable either way: uploaded, or
    /// flushed and recorded in the journal.
    /// </summary>
    /// <remarks>
    /// A small synchronous write (one Put Blob) is sent first, from its private file, and only then renamed into the
    /// cache, as a cached copy: once its blob is confirmed, a local fsync, a journal line and a
    /// record of the pending write would guard nothing (the cache copy is a fill like any other,
    /// see <c>UnsyncedFills</c>). That is what brings a small synchronous write close to one PUT.
    /// If the upload fails, the write takes the journaled route (flushed, recorded, kept for
    /// ResumePendingUploads) before the failure is thrown; if an upload of the same blob is still
    /// pending in this process, it goes that way at once, so that it is uploaded after that one.
    /// The fill lock is held throughout: writers of one path commit one at a time, in order.
    /// </remarks>
    /// <exception cref="AzFuseTransferException">A synchronous upload failed.</exception>
    public async ValueTask CommitAsync(WriteSession session, bool async, CancellationToken cancellationToken)
    {
        var path = session.Path;
        var record = new PendingUpload(
            _pending.NextId(),
            path.Mapping.StorageAccount,
            path.Blob.BlobName,
            path.LogicalPath,
            path.CacheRoot,
            session.DataPath,
            session.Staged,
            _time.GetUtcNow(),
            Guid.NewGuid());
        Exception? sentAndFailed = null;
        UploadTicket? ticket = null;
        try
        {
            // The cache file's fill lock, which fills, revalidations and evictions hold while they
            // change the file: none of them can act between the record and the rename below.
            // Both folders inside their roots, never through a link: the cache file's is created by
            // the lock (pinned, so no ClearCache removes it before the rename), a staged copy's here.
            var folder = Path.GetDirectoryName(session.DataPath)!;
            if (session.Staged)
            {
                ContainedFolders.Create(session.DataRoot, folder);
            }
            using var fileLock = await FillLock.AcquireAsync(path.CacheRoot, path.CachePath, path.LogicalPath, _lockTimeout, _time, async, cancellationToken).ConfigureAwait(false);
            var item = new PendingItem(record, path.Blob, _pending.JournalFor(path.CacheRoot), session.DataRoot);
            // Only what goes up in one request: a larger file is journaled first, so that an upload
            // killed half-way resumes with the blocks not yet staged instead of starting over.
            var direct = session.Policy.Scope is null && !session.Staged && _uploader.IsOneRequest(new FileInfo(session.TempPath).Length) && _uploader.TryStartDirect(item);
            if (direct)
            {
                // From here the upload goes on whatever the caller cancels, as a recorded one would.
                using (var activity = Telemetry.Start("azfuse.upload", path.LogicalPath, files: 1))
                {
                    try
                    {
                        sentAndFailed = await _uploader.UploadFileAsync(path.Blob, session.TempPath, path.CacheRoot, path.LogicalPath, async, CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        _uploader.FinishDirect(item, ex); // a bug: no waiter may be left behind
                        throw;
                    }

                    if (sentAndFailed is null)
                    {
                        Telemetry.Succeeded(activity);
                    }
                }

                if (sentAndFailed is null)
                {
                    try
                    {
                        PlaceUploaded(session, record.Key);
                    }
                    finally
                    {
                        _uploader.FinishDirect(item, null); // uploaded either way
                    }

                    return;
                }
            }

            // From now on the write must outlive a crash. A small write in a scope keeps its bytes in
            // its journal line, which is flushed anyway: its file and folder need no fsync of their
            // own (three became one), and after a power loss the journal puts the file back (see
            // UnsyncedFills.Recover). Every other write is flushed before it is renamed into place
            // and recorded: a record must never point at content a power loss could empty.
            var content = ContentToJournal(session, item.Journal);
            if (content is null)
            {
                try
                {
                    Durability.FlushFiles([session.TempPath]);
                }
                catch (Exception ex) when (DiskSpace.IsFull(ex))
                {
                    throw Errors.DiskFull(session.DataRoot, path.LogicalPath, neededBytes: null, ex);
                }
            }

            var cached = new FileInfo(path.CachePath);
            var sizeChange = -(cached.Exists ? cached.Length : 0);
            lock (_uploader.LockFor(record.Key))
            {
                if (session.Staged)
                {
                    CacheRecords.Delete(path.CachePath);
                }
                else
                {
                    // Before the content: from now until the upload is confirmed, the record says
                    // "a local write", which no revalidation replaces and no eviction removes. A
                    // mapping with neither has no one to tell (and a fill never replaces a file
                    // that is there): the journal alone keeps the write.
                    var length = new FileInfo(session.TempPath).Length;
                    if (path.Mapping.Revalidates || _space.IsBounded(path.CacheRoot))
                    {
                        CacheRecords.Write(path.CachePath, new CacheRecord(ETag: null, length, LastModified: null, record.Written, record.Token));
                    }
                    else
                    {
                        CacheRecords.Delete(path.CachePath);
                    }

                    sizeChange += length;
                }

                File.Move(session.TempPath, session.DataPath, overwrite: true);
                RemoveOwnFolder(session);
                RemoveOlderCopy(session);
                if (content is null)
                {
                    NativeFiles.FlushFolder(folder);
                }

                item.Journal.Append(content is null ? record : record with { Content = content });
                if (direct)
                {
                    // Sent and failed already: pending, as after a failed upload, and reported once.
                    _uploader.RegisterUntracked(item);
                    _uploader.FinishDirect(item, sentAndFailed);
                }
                else
                {
                    ticket = _uploader.Register(item);
                }
            }

            _space.Adjust(path.CacheRoot, sizeChange);
        }
        catch
        {
            Abandon(session);
            throw;
        }

        if (sentAndFailed is not null)
        {
            throw Errors.UploadsFailed([new TransferFailure(path.LogicalPath, sentAndFailed)]);
        }

        if (session.Policy.Scope is { } scope && scope.TryTrack(ticket!))
        {
            _uploader.Enqueue(record.Key);

            // Back-pressure: a writer that got too far ahead of the uploads waits here for room.
            // The write itself is recorded and queued already, so waiting (or being cancelled) loses nothing.
            await _uploader.WaitForRoomAsync(_maxPendingUploadBytes, async, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Recorded: from here the upload goes on whatever the caller cancels (ResumePendingUploads would do it anyway).
        if (await _uploader.UploadNowAsync(ticket!, async, CancellationToken.None).ConfigureAwait(false) is { } failure)
        {
            throw Errors.UploadsFailed([failure]);
        }
    }

    /// <summary>
    /// The bytes of <paramref name="session"/>'s write to keep in its journal line instead of
    /// flushing its file, or <see langword="null"/>: only a small write in a scope, to a cache file on
    /// disk under a root this process's marker covers (<see cref="UnsyncedFills.Covers"/>: a restart
    /// after a power loss is then recovered), and not in a mapping that revalidates or bounds its
    /// cache (the cache record that keeps a revalidation or an eviction off the write is not put back).
    /// </summary>
    private byte[]? ContentToJournal(WriteSession session, UploadJournal journal)
    {
        var path = session.Path;
        if (session.Policy.Scope is null || session.Staged || path.Mapping.Revalidates || _space.IsBounded(path.CacheRoot) ||
            new FileInfo(session.TempPath).Length > JournaledContentLimit || journal.Size >= UploadJournal.ContentBudget ||
            !_fills.Covers(path.CacheRoot))
        {
            return null;
        }

        return File.ReadAllBytes(session.TempPath);
    }

    /// <summary>
    /// Renames an uploaded write into the cache as a cached copy of its blob (the caller holds the
    /// fill lock): the record of a revalidating mapping leaves the ETag open, so the next check
    /// compares the content's MD5, as after an azcopy job.
    /// </summary>
    private void PlaceUploaded(WriteSession session, PendingKey key)
    {
        var path = session.Path;
        var cached = new FileInfo(path.CachePath);
        var length = new FileInfo(session.TempPath).Length;
        _fills.Complete(path.CacheRoot, session.TempPath);
        lock (_uploader.LockFor(key))
        {
            CacheRecords.Delete(path.CachePath);
            File.Move(session.TempPath, path.CachePath, overwrite: true);
            if (path.Mapping.Revalidates)
            {
                CacheRecords.Write(path.CachePath, new CacheRecord(ETag: null, length, LastModified: null, _time.GetUtcNow()));
            }

            RemoveOwnFolder(session);
            RemoveOlderCopy(session);
        }

        _space.Adjust(path.CacheRoot, length - (cached.Exists ? cached.Length : 0));
    }

    /// <summary>
    /// Exactly one local copy holds the newest content, and reads find it: a staged write removes
    /// the older cache file; a cached write removes an older staged copy. (An upload already
    /// running on either keeps its own snapshot of it.)
    /// </summary>
    private void RemoveOlderCopy(WriteSession session)
    {
        var path = session.Path;
        if ((session.Staged ? path.CachePath : _shm.StagedPathOf(path.CacheRoot, path.CachePath)) is { } older)
        {
            CacheCommit.DeleteQuietly(older);
        }
    }
}
