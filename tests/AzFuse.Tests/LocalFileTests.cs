using System.Security.Cryptography;
using AzFuse.Testing;
using AzFuse.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace AzFuse.Tests;

/// <summary>GetLocalFile: real paths for programs that need one; IsCached; Upload of local files.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class LocalFileTests(AzuriteFixture azurite) : SandboxTest(azurite)
{
    [Fact]
    public async Task SQLite_writes_rows_through_a_local_path_and_the_blob_is_the_database_byte_for_byte()
    {
        await Sandbox.UploadAsync("db/app.sqlite", NewDatabase("alpha"));
        var client = Sandbox.CreateClient();

        using (var local = client.GetLocalFile("data/db/app.sqlite", FileAccess.ReadWrite))
        {
            Assert.EndsWith("app.sqlite", local.Path, StringComparison.Ordinal);
            Assert.False(local.Path.StartsWith(Sandbox.CacheRoot + "/db", StringComparison.Ordinal)); // private until committed
            using var connection = new SqliteConnection($"Data Source={local.Path};Pooling=False");
            connection.Open();
            Execute(connection, "INSERT INTO items VALUES ('beta'), ('gamma')");
        }

        var blob = await Sandbox.DownloadAsync("db/app.sqlite");
        Assert.Equal(blob, await File.ReadAllBytesAsync(Sandbox.CachePathOf("db/app.sqlite")));
        Assert.Equal(MD5.HashData(blob!), (await Sandbox.GetPropertiesAsync("db/app.sqlite"))!.Value.ContentMd5);
        var fresh = Sandbox.CreateClient();
        fresh.ClearCache("data/db");
        using var reading = fresh.GetLocalFile("data/db/app.sqlite");
        Assert.Equal(["alpha", "beta", "gamma"], Rows(reading.Path));
        Assert.DoesNotContain(StandingFiles.Without(Directory.EnumerateFiles(Path.Combine(Sandbox.CacheRoot, ".azfuse", "writing"), "*", SearchOption.AllDirectories)), f => !f.EndsWith(".lock", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_read_lease_is_the_cache_file_and_eviction_never_removes_it_while_held()
    {
        await Sandbox.UploadAsync("held/db.sqlite", NewDatabase("kept"));
        await Sandbox.UploadManyAsync(Enumerable.Range(0, 30).Select(i => ($"fill/{i}.bin", TestContent.For(i, 40_000))));
        var options = Sandbox.CreateOptions();
        options.MaxCacheSize = 200_000;
        var client = new AzFuseClient(options);

        var lease = client.GetLocalFile("data/held/db.sqlite");
        Assert.Equal(Sandbox.CachePathOf("held/db.sqlite"), lease.Path);
        for (var i = 0; i < 30; i++)
        {
            client.ReadAllBytes($"data/fill/{i}.bin");
        }

        Assert.True(client.GetCacheStats().Evictions > 0);
        Assert.True(File.Exists(lease.Path), "a file held by a local-path lease was evicted");
        Assert.Equal(["kept"], Rows(lease.Path));
        lease.Dispose();

        for (var i = 0; i < 30; i++)
        {
            client.ReadAllBytes($"data/fill/{i}.bin");
        }

        Assert.False(File.Exists(lease.Path), "released, the file is evicted like any other");
    }

    [Fact]
    public async Task A_write_lease_that_changes_nothing_or_writes_nothing_or_is_discarded_uploads_nothing()
    {
        await Sandbox.UploadAsync("same.txt", "as it was");
        var client = Sandbox.CreateClient();
        var etag = (await Sandbox.GetBlobPropertiesAsync("same.txt"))!.ETag;

        using (client.GetLocalFile("data/same.txt", FileAccess.ReadWrite))
        {
        }

        using (client.GetLocalFile("data/never-written.txt", FileAccess.Write))
        {
        }

        using (var local = client.GetLocalFile("data/same.txt", FileAccess.Write, new OpenOptions { RequireCommit = true }))
        {
            File.WriteAllText(local.Path, "dropped: no Commit");
        }

        var discarded = client.GetLocalFile("data/same.txt", FileAccess.Write);
        File.WriteAllText(discarded.Path, "dropped: Discard");
        discarded.Discard();
        discarded.Dispose();

        Assert.Equal(etag, (await Sandbox.GetBlobPropertiesAsync("same.txt"))!.ETag);
        Assert.Null(await Sandbox.DownloadAsync("never-written.txt"));
        Assert.Equal("as it was", client.ReadAllText("data/same.txt"));
    }

    [Fact]
    public async Task A_write_lease_in_a_shared_memory_scope_writes_in_shared_memory_and_uploads_at_the_scopes_end()
    {
        var shm = Path.Combine(Sandbox.Root, "shm");
        Directory.CreateDirectory(shm);
        var options = Sandbox.CreateOptions();
        options.SharedMemoryFolder = shm;
        var client = new AzFuseClient(options);

        await using (client.AsyncUpload(shmAsTmp: true))
        {
            await using var local = await client.GetLocalFileAsync("data/shm/out.bin", FileAccess.Write);
            Assert.StartsWith(shm, local.Path, StringComparison.Ordinal);
            await File.WriteAllBytesAsync(local.Path, TestContent.For(1, 5000));
        }

        Assert.Equal(TestContent.For(1, 5000), await Sandbox.DownloadAsync("shm/out.bin"));
    }

    [Fact]
    public async Task A_link_put_at_the_path_is_refused_and_nothing_is_uploaded()
    {
        var outside = Path.Combine(Sandbox.Root, "outside.txt");
        File.WriteAllText(outside, "not the write");
        var client = Sandbox.CreateClient();

        var local = client.GetLocalFile("data/linked.txt", FileAccess.Write);
        File.CreateSymbolicLink(local.Path, outside);

        var ex = Assert.Throws<IOException>(local.Commit);
        Assert.Contains("no longer a regular file", ex.Message, StringComparison.Ordinal);
        Assert.Null(await Sandbox.DownloadAsync("linked.txt"));
        Assert.Equal("not the write", File.ReadAllText(outside));
    }

    [Fact]
    public async Task IsCached_tells_whether_a_read_needs_no_download()
    {
        await Sandbox.UploadAsync("c.txt", "c");
        var client = Sandbox.CreateClient();
        var local = Path.Combine(Sandbox.Root, "plain.txt");
        File.WriteAllText(local, "local");

        Assert.False(client.IsCached("data/c.txt"));
        client.ReadAllText("data/c.txt");
        Assert.True(client.IsCached("data/c.txt"));
        client.ClearCache("data/c.txt");
        Assert.False(client.IsCached("data/c.txt"));
        Assert.True(client.IsCached(local));
    }

    [Fact]
    public async Task Upload_sends_a_local_file_now_or_queues_it_in_a_scope_and_can_delete_it_once_recorded()
    {
        var source = Path.Combine(Sandbox.Root, "model.bin");
        File.WriteAllBytes(source, TestContent.For(7, 300_000));
        var (options, release) = HoldAzCopy();
        options.AzCopyMinFileSize = 0; // every upload through the held azcopy: the scope's queue is seen before it drains
        var client = new AzFuseClient(options);
        var direct = Sandbox.CreateClient();

        direct.Upload(source, "data/up/now.bin");
        Assert.Equal(TestContent.For(7, 300_000), await Sandbox.DownloadAsync("up/now.bin"));

        var scope = client.AsyncUpload();
        await client.UploadAsync(source, "data/up/queued.bin", deleteSource: true);
        Assert.False(File.Exists(source), "the source is deleted once its content is recorded");
        Assert.Null(await Sandbox.DownloadAsync("up/queued.bin"));
        Assert.Equal(TestContent.For(7, 300_000), client.ReadAllBytes("data/up/queued.bin")); // the cache holds it meanwhile
        File.WriteAllText(release, "go");
        await scope.CompleteAsync();

        Assert.Equal(TestContent.For(7, 300_000), await Sandbox.DownloadAsync("up/queued.bin"));
        Assert.Equal(MD5.HashData(TestContent.For(7, 300_000)), (await Sandbox.GetPropertiesAsync("up/queued.bin"))!.Value.ContentMd5);
        Assert.Throws<FileNotFoundException>(() => client.Upload(source, "data/up/again.bin"));
    }

    [Fact]
    public async Task UploadDirectory_uploads_a_tree_and_a_second_run_skips_what_is_there()
    {
        var tree = Path.Combine(Sandbox.Root, "tree");
        Directory.CreateDirectory(Path.Combine(tree, "sub"));
        File.WriteAllText(Path.Combine(tree, "a.txt"), "a");
        File.WriteAllText(Path.Combine(tree, "sub", "b.txt"), "bb");
        var client = Sandbox.CreateClient();
        var reports = new List<TransferProgress>();
        var options = new UploadDirectoryOptions { StateFolder = Path.Combine(Sandbox.Root, "state"), Progress = new SynchronousProgress(reports) };

        var first = client.UploadDirectory(tree, "data/tree", options);
        File.WriteAllText(Path.Combine(tree, "sub", "b.txt"), "changed");
        var second = await client.UploadDirectoryAsync(tree, "data/tree/", new UploadDirectoryOptions { StateFolder = options.StateFolder });

        Assert.Equal((2, 0, 3L), (first.FilesUploaded, first.FilesSkipped, first.BytesUploaded));
        Assert.Equal((1, 1), (second.FilesUploaded, second.FilesSkipped));
        Assert.Equal((0, 2, 0L, 3L), (reports[0].FilesDone, reports[0].FilesTotal, reports[0].BytesDone, reports[0].BytesTotal));
        Assert.Equal("changed", await Sandbox.DownloadTextAsync("tree/sub/b.txt"));
        Assert.False(client.IsCached("data/tree/a.txt"), "a bulk upload leaves no copy in the cache");
    }

    [Fact]
    public void With_AzFuse_off_a_lease_is_the_local_file_and_a_write_replaces_it_when_committed()
    {
        var folder = Path.Combine(Sandbox.Root, "plain");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "notes.txt");
        File.WriteAllText(file, "before");
        var client = new AzFuseClient(new AzFuseOptions());

        using (var read = client.GetLocalFile(file))
        {
            Assert.Equal(file, read.Path);
        }

        using (var write = client.GetLocalFile(file, FileAccess.ReadWrite))
        {
            Assert.NotEqual(file, write.Path);
            Assert.Equal("before", File.ReadAllText(write.Path));
            File.AppendAllText(write.Path, " and after");
            Assert.Equal("before", File.ReadAllText(file));
        }

        Assert.Equal("before and after", File.ReadAllText(file));
        Assert.Equal([file], Directory.GetFiles(folder));
    }

    /// <summary>Records reports as they are made (Progress&lt;T&gt; would post them later, to the thread pool).</summary>
    private sealed class SynchronousProgress(List<TransferProgress> reports) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }

    private static byte[] NewDatabase(string firstRow)
    {
        var path = Path.Combine(Path.GetTempPath(), $"azfuse-db-{Guid.NewGuid():N}.sqlite");
        try
        {
            using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
            {
                connection.Open();
                Execute(connection, "CREATE TABLE items (name TEXT)");
                Execute(connection, $"INSERT INTO items VALUES ('{firstRow}')");
            }

            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static List<string> Rows(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM items ORDER BY name";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
