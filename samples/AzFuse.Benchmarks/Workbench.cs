using AzFuse.Testing;

namespace AzFuse.Benchmarks;

/// <summary>
/// What a benchmark set works in: its own sandbox (container, YAML files, cache) on the shared
/// Azurite, one client per transfer engine, and the baselines' URLs. The library's azcopy runs go
/// through <see cref="AzCopyCounter"/>'s one-line sh wrapper (about 1 ms per run) so that each
/// table can show which route was taken; the raw azcopy baseline runs the binary directly.
/// </summary>
internal sealed class Workbench : IDisposable
{
    private readonly Dictionary<AzFuseTransferEngine, AzFuseClient> _clients = [];
    private readonly string _sas;
    private readonly string _writeSas;
    private int _scratchCounter;

    private Workbench(AzFuseSandbox sandbox, AzCopyCounter counter, int repeat)
    {
        Sandbox = sandbox;
        Counter = counter;
        Warnings = new WarningLog();
        Measurement = new Measurement(counter, Warnings, repeat);
        Baselines = new Baselines(this);
        ScratchRoot = Path.Combine(sandbox.Root, "scratch");
        Directory.CreateDirectory(ScratchRoot);
        _sas = sandbox.ContainerSas("rl", DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(12));
        _writeSas = sandbox.ContainerSas("racwl", DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(12));
    }

    public AzFuseSandbox Sandbox { get; }

    public AzCopyCounter Counter { get; }

    public Measurement Measurement { get; }

    /// <summary>What the library's clients logged at warning level or above.</summary>
    public WarningLog Warnings { get; }

    public Baselines Baselines { get; }

    public string ScratchRoot { get; }

    /// <summary>The container's URL with a read-and-list SAS (what an azcopy job takes).</summary>
    public Uri SignedContainerUrl => new($"{Sandbox.Server.Endpoint.AbsoluteUri.TrimEnd('/')}/{Sandbox.ContainerName}?{_sas}");

    public static async Task<Workbench> CreateAsync(AzuriteServer azurite, int repeat)
    {
        var sandbox = await AzFuseSandbox.CreateAsync(azurite);
        var counter = AzCopyCounter.Create(Path.Combine(sandbox.Root, "counter"));
        sandbox.AzCopyPath = counter.ScriptPath;
        return new Workbench(sandbox, counter, repeat);
    }

    /// <summary>The logical path ("data/...") of a path relative to the sandbox's mapping.</summary>
    public static string Logical(string relative) => AzFuseSandbox.LocalPrefix + "/" + relative;

    /// <summary>The blob's name in the container.</summary>
    public static string BlobName(string relative) => AzFuseSandbox.RemotePrefix + "/" + relative;

    /// <summary>A client whose options force <paramref name="engine"/> (or leave it auto), defaults otherwise.</summary>
    public AzFuseClient Client(AzFuseTransferEngine engine)
    {
        if (!_clients.TryGetValue(engine, out var client))
        {
            client = _clients[engine] = NewClient(o => o.TransferEngine = engine);
        }

        return client;
    }

    /// <summary>A new client of the sandbox (not shared), its options changed by <paramref name="configure"/>; warnings go to <see cref="Warnings"/>.</summary>
    public AzFuseClient NewClient(Action<AzFuseOptions> configure)
    {
        var options = Sandbox.CreateOptions();

        // The sandbox shortens the retry delay for tests; a benchmark measures what users get.
        options.RetryDelay = new AzFuseOptions().RetryDelay;
        configure(options);
        return new AzFuseClient(options, Warnings);
    }

    /// <summary>The blob's URL with the same read SAS (what curl and a bare GET take).</summary>
    public Uri SignedBlobUrl(string relative) =>
        new($"{Sandbox.Server.Endpoint.AbsoluteUri.TrimEnd('/')}/{Sandbox.ContainerName}/{BlobName(relative)}?{_sas}");

    /// <summary>
    /// The blob's URL with a SAS, straight to Azurite or through <paramref name="via"/>: one that may
    /// read, or (<paramref name="write"/>) also create and write (what azcopy uploads take).
    /// </summary>
    public Uri SignedBlobUrl(string relative, LinkProxy? via, bool write = false)
    {
        var endpoint = via?.EndpointFor(Sandbox.Server) ?? Sandbox.Server.Endpoint;
        return new($"{endpoint.AbsoluteUri.TrimEnd('/')}/{Sandbox.ContainerName}/{BlobName(relative)}?{(write ? _writeSas : _sas)}");
    }

    /// <summary>A new, empty folder under the sandbox.</summary>
    public string NewScratchFolder()
    {
        var folder = Path.Combine(ScratchRoot, (++_scratchCounter).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>Empties the scratch folder (untimed, between baseline runs: azcopy's plans and logs, curl's files).</summary>
    public void ClearScratch()
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(ScratchRoot))
        {
            Baselines.Remove(entry);
        }
    }

    /// <summary>Uploads a blob of random bytes; a large one is streamed from a temp file, not held in memory.</summary>
    public async Task SeedAsync(string relative, long size)
    {
        if (size <= 16L << 20)
        {
            await Sandbox.UploadAsync(relative, RandomBytes((int)size, relative.GetHashCode(StringComparison.Ordinal)));
            return;
        }

        var file = Path.Combine(ScratchRoot, "seed.bin");
        await using (var stream = File.Create(file))
        {
            var buffer = new byte[1 << 20];
            var random = new Random(relative.GetHashCode(StringComparison.Ordinal));
            for (long written = 0; written < size; written += buffer.Length)
            {
                random.NextBytes(buffer);
                await stream.WriteAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, size - written)));
            }
        }

        await Sandbox.UploadFileAsync(relative, file);
        File.Delete(file);
    }

    /// <summary>Uploads <paramref name="count"/> blobs of <paramref name="size"/> random bytes, <c>prefix/0.bin</c> and on, 16 at a time.</summary>
    public Task SeedManyAsync(string prefix, int count, int size) =>
        Sandbox.UploadManyAsync(Enumerable.Range(0, count).Select(i => ($"{prefix}/{i}.bin", RandomBytes(size, i))));

    /// <summary>Opens the logical path (a cache miss when the cache was just emptied) and reads it to the end.</summary>
    public static long OpenAndRead(AzFuseClient client, string logicalPath)
    {
        using var stream = client.Open(logicalPath, FileMode.Open);

        // Pooled: a new 1 MB buffer per Open cost more (~100 us of allocation and GC) than a cache hit itself.
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long total = 0;
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                total += read;
            }

            return total;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Throws unless every listed file (relative to the mapping) is in the cache.</summary>
    public void RequireCached(IReadOnlyList<string> relatives)
    {
        var missing = relatives.Count(r => !File.Exists(Sandbox.CachePathOf(r)));
        if (missing > 0)
        {
            throw new InvalidOperationException($"{missing} of {relatives.Count} file(s) are not in the cache after Prepare.");
        }
    }

    /// <summary>Throws unless every listed blob (relative to the mapping) exists with <paramref name="size"/> bytes (HEADs, 16 at a time).</summary>
    public void RequireUploaded(IReadOnlyList<string> relatives, long size)
    {
        var wrong = 0;
        Parallel.ForEach(relatives, new ParallelOptions { MaxDegreeOfParallelism = 16 }, relative =>
        {
            if (Baselines.RemoteLength(relative) != size)
            {
                Interlocked.Increment(ref wrong);
            }
        });

        if (wrong > 0)
        {
            throw new InvalidOperationException($"{wrong} of {relatives.Count} blob(s) are missing or not {size} bytes long.");
        }
    }

    public static byte[] RandomBytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public void Dispose() => Sandbox.Dispose();
}
