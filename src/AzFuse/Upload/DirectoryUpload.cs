using System.Security.Cryptography;
using AzFuse.Diagnostics;

namespace AzFuse.Upload;

/// <summary>
/// Uploads a local tree resumably (CLFSLoad's idea): a file whose blob already has the same length
/// and stored MD5 is skipped, so a run restarted after an interruption (even kill -9) uploads only
/// what is missing or different. Files go through the write path in AsyncUpload scopes of a batch
/// each, confirmed before the next batch starts, so an interruption loses at most one batch's work
/// and its writes stay journaled for ResumePendingUploads. The MD5s of local files are kept in a
/// state folder (<see cref="UploadState"/>), so a restarted run does not read again what it hashed.
/// </summary>
internal static class DirectoryUpload
{
    public static async ValueTask<UploadDirectoryResult> RunAsync(AzFuseClient client, string source, string target, UploadDirectoryOptions options, bool async, CancellationToken cancellationToken)
    {
        target = target.Replace('\\', '/').TrimEnd('/');
        if (!Directory.Exists(source))
        {
            throw Errors.UploadFolderMissing(source);
        }

        using var state = UploadState.Open(options.StateFolder, source, target);
        var plan = await Plan.CreateAsync(client, state, source, target, async, cancellationToken).ConfigureAwait(false);
        var overall = new BatchProgress(options.Progress, plan.ToUpload.Count, plan.BytesToUpload);
        foreach (var batch in plan.ToUpload.Chunk(options.BatchSize))
        {
            var md5s = new string[batch.Length];
            var scope = client.AsyncUpload(overall.NextBatch());
            try
            {
                for (var i = 0; i < batch.Length; i++)
                {
                    md5s[i] = await CopyAsync(client, batch[i], async, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                // Waits for this batch's uploads to be confirmed; throws naming any that failed.
                if (async)
                {
                    await scope.CompleteAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    scope.Dispose();
                }
            }

            for (var i = 0; i < batch.Length; i++)
            {
                state.Record(batch[i].RelativePath, batch[i].Length, batch[i].LastWriteTicks, md5s[i]);
            }

            state.Flush();
            if (!options.KeepCachedCopies)
            {
                foreach (var file in batch)
                {
                    client.ClearCache(file.LogicalPath);
                }
            }
        }

        return new UploadDirectoryResult { FilesUploaded = plan.ToUpload.Count, FilesSkipped = plan.AlreadyUploaded, BytesUploaded = plan.BytesToUpload };
    }

    /// <summary>Writes the file to its logical path (queued in the scope) and returns the MD5 of the bytes sent, computed on the way.</summary>
    private static async ValueTask<string> CopyAsync(AzFuseClient client, LocalFile file, bool async, CancellationToken cancellationToken)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var buffer = new byte[1 << 16];
        using var input = new FileStream(file.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, async ? FileOptions.Asynchronous | FileOptions.SequentialScan : FileOptions.SequentialScan);
        var output = async
            ? await client.OpenWriteAsync(file.LogicalPath, FileMode.Create, cancellationToken: cancellationToken).ConfigureAwait(false)
            : client.OpenWrite(file.LogicalPath, FileMode.Create);
        try
        {
            int read;
            while ((read = async ? await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) : input.Read(buffer)) > 0)
            {
                md5.AppendData(buffer, 0, read);
                if (async)
                {
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    output.Write(buffer, 0, read);
                }
            }

            if (async)
            {
                await output.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                output.Commit();
            }
        }
        finally
        {
            // Not committed (a read failed): dropped, nothing uploaded.
            output.Discard();
            output.Dispose();
        }

        return Convert.ToBase64String(md5.GetHashAndReset());
    }

    /// <summary>What a run has to do: the files whose blob is missing or differs, and how many are already there.</summary>
    private sealed record Plan(List<LocalFile> ToUpload, long BytesToUpload, int AlreadyUploaded)
    {
        public static async ValueTask<Plan> CreateAsync(AzFuseClient client, UploadState state, string source, string target, bool async, CancellationToken cancellationToken)
        {
            var remote = new Dictionary<string, FileEntry>(StringComparer.Ordinal);
            if (async)
            {
                await foreach (var entry in client.ListEntriesAsync(target, recursive: true, cancellationToken).ConfigureAwait(false))
                {
                    remote[entry.Path] = entry;
                }
            }
            else
            {
                foreach (var entry in client.ListEntries(target, recursive: true))
                {
                    remote[entry.Path] = entry;
                }
            }

            var toUpload = new List<LocalFile>();
            var skipped = 0;
            foreach (var path in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var info = new FileInfo(path);
                var relative = Path.GetRelativePath(source, path).Replace('\\', '/');
                var file = new LocalFile(path, relative, target + "/" + relative, info.Length, info.LastWriteTimeUtc.Ticks);
                if (remote.TryGetValue(file.LogicalPath, out var blob) && await IsSameAsync(state, file, info, blob, async, cancellationToken).ConfigureAwait(false))
                {
                    skipped++;
                }
                else
                {
                    toUpload.Add(file);
                }
            }

            return new Plan(toUpload, toUpload.Sum(f => f.Length), skipped);
        }

        // The length first; then the MD5 from the state folder, or (a full read of the file) computed and recorded.
        private static async ValueTask<bool> IsSameAsync(UploadState state, LocalFile file, FileInfo info, FileEntry blob, bool async, CancellationToken cancellationToken)
        {
            if (blob.Length != file.Length || blob.ContentMd5 is null)
            {
                return false;
            }

            var md5 = state.KnownMd5(file.RelativePath, info);
            if (md5 is null)
            {
                using var stream = new FileStream(file.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, async ? FileOptions.Asynchronous | FileOptions.SequentialScan : FileOptions.SequentialScan);
                md5 = Convert.ToBase64String(async ? await MD5.HashDataAsync(stream, cancellationToken).ConfigureAwait(false) : MD5.HashData(stream));
                state.Record(file.RelativePath, file.Length, file.LastWriteTicks, md5);
            }

            return md5 == blob.ContentMd5;
        }
    }

    private sealed record LocalFile(string LocalPath, string RelativePath, string LogicalPath, long Length, long LastWriteTicks);

    /// <summary>
    /// Adds the batches' progress reports up to the whole run's, whose totals are known from the
    /// start (and reported before anything moves). Each batch keeps its own latest report: a batch's
    /// last report can arrive after the next batch has begun (reports come from upload threads).
    /// </summary>
    private sealed class BatchProgress
    {
        private readonly object _gate = new();
        private readonly List<TransferProgress> _batches = [];
        private readonly IProgress<TransferProgress>? _sink;
        private readonly int _filesTotal;
        private readonly long _bytesTotal;

        public BatchProgress(IProgress<TransferProgress>? sink, int filesTotal, long bytesTotal)
        {
            _sink = sink;
            _filesTotal = filesTotal;
            _bytesTotal = bytesTotal;
            sink?.Report(new TransferProgress(0, filesTotal, 0, bytesTotal));
        }

        public IProgress<TransferProgress> NextBatch()
        {
            int index;
            lock (_gate)
            {
                index = _batches.Count;
                _batches.Add(new TransferProgress(0, 0, 0, 0));
            }

            return new Batch(this, index);
        }

        private void Report(int index, TransferProgress value)
        {
            TransferProgress sum;
            lock (_gate)
            {
                if (value.FilesDone + value.FilesFailed + value.BytesDone >= _batches[index].FilesDone + _batches[index].FilesFailed + _batches[index].BytesDone)
                {
                    _batches[index] = value;
                }

                sum = new TransferProgress(_batches.Sum(b => b.FilesDone), _filesTotal, _batches.Sum(b => b.BytesDone), _bytesTotal, _batches.Sum(b => b.FilesFailed));
            }

            _sink?.Report(sum);
        }

        private sealed class Batch(BatchProgress owner, int index) : IProgress<TransferProgress>
        {
            public void Report(TransferProgress value) => owner.Report(index, value);
        }
    }
}
