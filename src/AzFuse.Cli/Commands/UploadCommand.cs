using System.CommandLine;
using System.Security.Cryptography;
using AzFuse.Cli.Progress;

namespace AzFuse.Cli.Commands;

/// <summary>
/// <c>upload LOCAL_DIR LOGICAL_DIR</c>: uploads a local tree with progress, resumably. A file whose
/// blob already has the same length and MD5 is skipped, so a run restarted after an interruption
/// (even kill -9) uploads only what is missing or different. Files go through the library's write
/// path in AsyncUpload scopes of --batch-size files: each batch is confirmed before the next starts,
/// so an interruption loses at most one batch's work, and its writes stay journaled for 'resume'.
/// A confirmed batch's copies are then cleared from the cache (the local tree is the copy kept).
/// The MD5s of local files are kept in a local state folder (<see cref="UploadState"/>), so a
/// restarted run does not read again what it already hashed.
/// </summary>
internal static class UploadCommand
{
    public static Command Create(CommandSetup app)
    {
        var local = new Argument<string>("LOCAL_DIR") { Description = "The local folder to upload (everything under it)." };
        var logical = new Argument<string>("LOGICAL_DIR") { Description = "The logical folder it becomes, such as data/train." };
        var batchSize = new Option<int>("--batch-size") { Description = "Files per confirmed batch.", DefaultValueFactory = _ => 1000 };
        OptionRules.AtLeast(batchSize, 1);
        var stateDir = new Option<string?>("--state-dir") { Description = "Where the upload keeps its state (local files' MD5s); default $XDG_STATE_HOME/azfuse/upload or ~/.local/state/azfuse/upload." };
        var command = new Command("upload", "Upload a local folder to a logical folder, with progress; re-running skips files already uploaded (same length and MD5).") { local, logical, batchSize, stateDir };
        app.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var source = parse.GetValue(local)!;
            var target = parse.GetValue(logical)!.Replace('\\', '/').TrimEnd('/');
            if (!Directory.Exists(source))
            {
                throw new DirectoryNotFoundException($"The local folder '{source}' does not exist: pass the folder to upload as LOCAL_DIR.");
            }

            var client = context.Client;
            using var state = UploadState.Open(parse.GetValue(stateDir), source, target);
            var plan = await UploadPlan.CreateAsync(client, state, source, target, cancellationToken).ConfigureAwait(false);
            await context.Console.Out.WriteLineAsync($"upload: {plan.ToUpload.Count} files to upload ({plan.BytesToUpload} bytes), {plan.AlreadyUploaded} already uploaded").ConfigureAwait(false);
            if (plan.ToUpload.Count > 0)
            {
                await ProgressView.RunAsync(
                    context.Console,
                    "upload",
                    progress => UploadAsync(client, state, plan, parse.GetValue(batchSize), progress, cancellationToken)).ConfigureAwait(false);
            }

            await context.Console.Out.WriteLineAsync($"upload: done, {plan.ToUpload.Count} uploaded, {plan.AlreadyUploaded} skipped").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task UploadAsync(AzFuseClient client, UploadState state, UploadPlan plan, int batchSize, IProgress<TransferProgress> progress, CancellationToken cancellationToken)
    {
        var overall = new BatchProgress(progress, plan.ToUpload.Count, plan.BytesToUpload);
        foreach (var batch in plan.ToUpload.Chunk(batchSize))
        {
            var md5s = new string[batch.Length];
            var scope = client.AsyncUpload(overall.NextBatch());
            await using (scope.ConfigureAwait(false))
            {
                for (var i = 0; i < batch.Length; i++)
                {
                    md5s[i] = await CopyAsync(client, batch[i], cancellationToken).ConfigureAwait(false);
                }

                // Waits for this batch's uploads to be confirmed; throws naming any that failed.
                await scope.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }

            for (var i = 0; i < batch.Length; i++)
            {
                state.Record(batch[i].RelativePath, batch[i].Length, batch[i].LastWriteTicks, md5s[i]);
            }

            state.Flush();

            // The write path leaves a copy of each file in the cache; the local tree is the copy
            // the user keeps, so a bulk upload must not take the same space again in the cache.
            foreach (var file in batch)
            {
                client.ClearCache(file.LogicalPath);
            }
        }
    }

    /// <summary>Writes the file to its logical path (queued in the scope) and returns the MD5 of the bytes sent, computed on the way.</summary>
    private static async Task<string> CopyAsync(AzFuseClient client, LocalFile file, CancellationToken cancellationToken)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var buffer = new byte[1 << 16];
        var input = File.OpenRead(file.LocalPath);
        await using (input.ConfigureAwait(false))
        {
            var output = await client.OpenAsync(file.LogicalPath, FileMode.Create, FileAccess.Write, cancellationToken).ConfigureAwait(false);
            await using (output.ConfigureAwait(false))
            {
                int read;
                while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    md5.AppendData(buffer, 0, read);
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return Convert.ToBase64String(md5.GetHashAndReset());
    }

    /// <summary>What a run has to do: the files whose blob is missing or differs, and how many are already there.</summary>
    private sealed record UploadPlan(List<LocalFile> ToUpload, long BytesToUpload, int AlreadyUploaded)
    {
        public static async Task<UploadPlan> CreateAsync(AzFuseClient client, UploadState state, string source, string target, CancellationToken cancellationToken)
        {
            var remote = new Dictionary<string, FileEntry>(StringComparer.Ordinal);
            await foreach (var entry in client.ListEntriesAsync(target, recursive: true, cancellationToken).ConfigureAwait(false))
            {
                remote[entry.Path] = entry;
            }

            var toUpload = new List<LocalFile>();
            var skipped = 0;
            foreach (var path in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var info = new FileInfo(path);
                var relative = Path.GetRelativePath(source, path).Replace('\\', '/');
                var file = new LocalFile(path, relative, target + "/" + relative, info.Length, info.LastWriteTimeUtc.Ticks);
                if (remote.TryGetValue(file.LogicalPath, out var blob) && await IsSameAsync(state, file, info, blob, cancellationToken).ConfigureAwait(false))
                {
                    skipped++;
                }
                else
                {
                    toUpload.Add(file);
                }
            }

            return new UploadPlan(toUpload, toUpload.Sum(f => f.Length), skipped);
        }

        // The length first; then the MD5 from the state folder, or (a full read of the file) computed and recorded.
        private static async Task<bool> IsSameAsync(UploadState state, LocalFile file, FileInfo info, FileEntry blob, CancellationToken cancellationToken)
        {
            if (blob.Length != file.Length || blob.ContentMd5 is null)
            {
                return false;
            }

            var md5 = state.KnownMd5(file.RelativePath, info);
            if (md5 is null)
            {
                var stream = File.OpenRead(file.LocalPath);
                await using (stream.ConfigureAwait(false))
                {
                    md5 = Convert.ToBase64String(await MD5.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
                }

                state.Record(file.RelativePath, file.Length, file.LastWriteTicks, md5);
            }

            return md5 == blob.ContentMd5;
        }
    }

    private sealed record LocalFile(string LocalPath, string RelativePath, string LogicalPath, long Length, long LastWriteTicks);

    /// <summary>
    /// Adds the batches' progress reports up to the whole run's, whose totals are known from the
    /// start. Each batch keeps its own latest report: a batch's last report can arrive after the
    /// next batch has begun (reports come from upload threads).
    /// </summary>
    private sealed class BatchProgress(IProgress<TransferProgress> sink, int filesTotal, long bytesTotal)
    {
        private readonly object _gate = new();
        private readonly List<TransferProgress> _batches = [];

        public IProgress<TransferProgress> NextBatch()
        {
            int index;
            lock (_gate)
            {
                index = _batches.Count;
                _batches.Add(new TransferProgress(0, 0, 0, 0));
            }

            Report(index, _batches[index]);
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

                sum = new TransferProgress(_batches.Sum(b => b.FilesDone), filesTotal, _batches.Sum(b => b.BytesDone), bytesTotal, _batches.Sum(b => b.FilesFailed));
            }

            sink.Report(sum);
        }

        private sealed class Batch(BatchProgress owner, int index) : IProgress<TransferProgress>
        {
            public void Report(TransferProgress value) => owner.Report(index, value);
        }
    }
}
