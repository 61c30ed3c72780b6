using System.Globalization;

namespace AzFuse.Benchmarks;

/// <summary>
/// Names under one folder (<c>prefix/0.bin</c>, <c>prefix/1.bin</c>, ...) handed out a batch at a
/// time and never twice, so that each timed run reads blobs, or fills cache entries, or writes
/// blobs, that no run before it touched: no run profits from what an earlier one left behind (a
/// cached file, a record, a blob the server has just served).
/// </summary>
internal sealed class BlobBatches
{
    private readonly int _limit;
    private int _next;

    private BlobBatches(string prefix, int limit)
    {
        Prefix = prefix;
        _limit = limit;
    }

    /// <summary>The folder, relative to the mapping.</summary>
    public string Prefix { get; }

    /// <summary>Names of blobs that do not exist yet: for writes.</summary>
    public static BlobBatches New(string prefix) => new(prefix, int.MaxValue);

    /// <summary>
    /// Seeds enough blobs of <paramref name="size"/> random bytes for <paramref name="batches"/>
    /// batches of <paramref name="batchSize"/>: for reads.
    /// </summary>
    public static async Task<BlobBatches> SeedAsync(Workbench bench, string prefix, int batches, int batchSize, int size)
    {
        var count = batches * batchSize;
        Console.WriteLine($"Seeding {count} blobs of {Table.Size(size)} under {prefix}/ ({batches} batches of {batchSize})...");
        await bench.SeedManyAsync(prefix, count, size);
        return new BlobBatches(prefix, count);
    }

    /// <summary>How many batches <paramref name="candidates"/> of one <see cref="Measurement.Compare"/> take: a warm-up run and <paramref name="repeat"/> runs each.</summary>
    public static int For(int candidates, int repeat) => candidates * (repeat + 1);

    /// <summary>The next <paramref name="count"/> names, relative to the mapping.</summary>
    /// <exception cref="InvalidOperationException">The seeded blobs are used up.</exception>
    public IReadOnlyList<string> Take(int count)
    {
        if (count > _limit - _next)
        {
            throw new InvalidOperationException($"{Prefix}: {count} more blobs asked for, {_limit - _next} seeded ones left.");
        }

        var batch = Enumerable.Range(_next, count).Select(i => $"{Prefix}/{i.ToString(CultureInfo.InvariantCulture)}.bin").ToList();
        _next += count;
        return batch;
    }
}
