using System.Globalization;

namespace AzFuse.Benchmarks;

/// <summary>The command line: which benchmark sets to run, and their sizes.</summary>
internal sealed class BenchmarkArguments
{
    public const string Usage =
        "usage: AzFuse.Benchmarks [read] [write] [sweep] [cache] [wire] [training] [large] [chunks] [hot] [scale] [--files N] [--big-mb N] [--repeat N] [--counts N,N,...] [--sizes S,S,...] [--link] [--large-mb N] [--range-mb N] [--chunk-mb N] [--in-flight N] [--chunk-sizes S,S,...] [--in-flights N,N,...] [--scale-files N] [--cache-files N] [--scale-only P,P,...]\n" +
        "  read        single small file, Prepare of many and of 20 small files, one big file (against bare GET, raw azcopy, curl)\n" +
        "  write       per-file synchronous uploads against AsyncUpload scopes\n" +
        "  sweep       HTTP against azcopy over file sizes and batch counts: where each crosses over\n" +
        "  cache       cache hits under each cache policy, and misses into a full bounded cache\n" +
        "  wire        one small miss and a Prepare of many against a bare HttpClient; peak memory of a --big-mb download\n" +
        "  training    8 processes preparing the same files against one; exiting on SIGTERM with queued uploads\n" +
        "  large       large files on loopback and through a link profile (10 ms each way, 25 MB/s per connection): download and upload\n" +
        "              against azcopy, curl and one HTTP stream; a streamed read; peak memory; ReadRange of an uncached blob\n" +
        "  chunks      ChunkSize x ChunksInFlight through the link profile (download and upload of --large-mb)\n" +
        "  hot         issue 17's hot paths against their bare baselines, a scorecard of ratios: cache-hit Opens against\n" +
        "              File.OpenRead (default policy and max_cache_size), uncached 4 KiB Opens against GETs, synchronous\n" +
        "              writes against PUTs, 200 writes in an AsyncUpload scope (and shmAsTmp) against PUTs 16 in flight,\n" +
        "              Prepare of 1000 against PrepareAsync and GETs 16 in flight, a 100 MiB Open against curl\n" +
        "  scale       Prepare, cached Prepare, List and a resume of --scale-files; an eviction pass over --cache-files (ScaleBenchmark.cs)\n" +
        "  (no set named: the first six; large, chunks, hot and scale run only when named)\n" +
        "  --files N   files in the write benchmark and in read's Prepare batch (default 1000); in hot, the cache-hit files (default 10000)\n" +
        "  --big-mb N  size of read's big file in MiB (default 256)\n" +
        "  --repeat N  timed repetitions of each measurement; the median is reported (default 5)\n" +
        "  --counts    the sweep's Prepare batch counts (default 100,300,1000,3000,10000)\n" +
        "  --sizes     the sweep's file sizes, with K or M suffix (default 4K,1M,16M,64M,256M)\n" +
        "  --link      run the sweep through the link profile\n" +
        "  --large-mb N    the large file in MiB (default 1024)\n" +
        "  --range-mb N    the blob ReadRange reads from, in MiB (default 4096)\n" +
        "  --chunk-mb N, --in-flight N    ChunkSize and ChunksInFlight of the library in these runs (default: the options' defaults)\n" +
        "  --chunk-sizes, --in-flights    what the chunks set tries (default 4M,8M,16M and 4,8,16,32)\n" +
        "  --scale-files N, --cache-files N    the scale set's blobs (default 100000) and cache files (default 1000000)\n" +
        "  --scale-only P,P,...    only these parts of the scale set: prepare (S1, S2), list (S3), resume-http, resume-auto (S4), evict (S5); default all";

    // --files as given, or null: its default depends on the set (Files, HitFiles).
    private int? _files;

    public bool Read { get; private set; }

    public bool Write { get; private set; }

    public bool Sweep { get; private set; }

    public bool Cache { get; private set; }

    public bool Wire { get; private set; }

    public bool Training { get; private set; }

    public bool Large { get; private set; }

    public bool Chunks { get; private set; }

    public bool Hot { get; private set; }

    public bool Scale { get; private set; }

    public int ScaleFiles { get; private set; } = 100_000;

    public int CacheFiles { get; private set; } = 1_000_000;

    /// <summary>--scale-only: the parts of the scale set to run (all when not given).</summary>
    public IReadOnlySet<string> ScaleParts { get; private set; } = ScalePartNames;

    /// <summary>The parts of the scale set --scale-only may name.</summary>
    public static readonly IReadOnlySet<string> ScalePartNames = new HashSet<string>(["prepare", "list", "resume-http", "resume-auto", "evict"], StringComparer.Ordinal);

    public bool Link { get; private set; }

    public long LargeSize { get; private set; } = 1L << 30;

    public long RangeBlobSize { get; private set; } = 4L << 30;

    public long? ChunkSize { get; private set; }

    public int? InFlight { get; private set; }

    public IReadOnlyList<long> ChunkSizes { get; private set; } = [4L << 20, 8L << 20, 16L << 20];

    public IReadOnlyList<int> InFlights { get; private set; } = [4, 8, 16, 32];

    /// <summary>--files: the write set's files and read's Prepare batch.</summary>
    public int Files => _files ?? 1000;

    /// <summary>--files in the hot set: how many cached files the cache-hit Opens go through.</summary>
    public int HitFiles => _files ?? 10_000;

    public long BigSize { get; private set; } = 256L << 20;

    public int Repeat { get; private set; } = 5;

    public IReadOnlyList<int> Counts { get; private set; } = [100, 300, 1000, 3000, 10000];

    public IReadOnlyList<long> Sizes { get; private set; } = [4L << 10, 1L << 20, 16L << 20, 64L << 20, 256L << 20];

    /// <summary>The parsed arguments, or <see langword="null"/> (after printing why) when they are wrong.</summary>
    public static BenchmarkArguments? Parse(string[] args)
    {
        var parsed = new BenchmarkArguments();
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "read": parsed.Read = true; break;
                    case "write": parsed.Write = true; break;
                    case "sweep": parsed.Sweep = true; break;
                    case "cache": parsed.Cache = true; break;
                    case "wire": parsed.Wire = true; break;
                    case "training": parsed.Training = true; break;
                    case "large": parsed.Large = true; break;
                    case "chunks": parsed.Chunks = true; break;
                    case "hot": parsed.Hot = true; break;
                    case "scale": parsed.Scale = true; break;
                    case "--scale-files": parsed.ScaleFiles = Positive(args, ++i); break;
                    case "--cache-files": parsed.CacheFiles = Positive(args, ++i); break;
                    case "--scale-only": parsed.ScaleParts = ScaleOnly(List(args, ++i)); break;
                    case "--link": parsed.Link = true; break;
                    case "--large-mb": parsed.LargeSize = (long)Positive(args, ++i) << 20; break;
                    case "--range-mb": parsed.RangeBlobSize = (long)Positive(args, ++i) << 20; break;
                    case "--chunk-mb": parsed.ChunkSize = (long)Positive(args, ++i) << 20; break;
                    case "--in-flight": parsed.InFlight = Positive(args, ++i); break;
                    case "--chunk-sizes": parsed.ChunkSizes = List(args, ++i).Select(ParseSize).ToList(); break;
                    case "--in-flights": parsed.InFlights = List(args, ++i).Select(c => Positive([c], 0)).ToList(); break;
                    case "--files": parsed._files = Positive(args, ++i); break;
                    case "--big-mb": parsed.BigSize = (long)Positive(args, ++i) << 20; break;
                    case "--repeat": parsed.Repeat = Positive(args, ++i); break;
                    case "--counts": parsed.Counts = List(args, ++i).Select(c => Positive([c], 0)).ToList(); break;
                    case "--sizes": parsed.Sizes = List(args, ++i).Select(ParseSize).ToList(); break;
                    default: throw new FormatException($"unknown argument '{args[i]}'");
                }
            }
        }
        catch (FormatException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine(Usage);
            return null;
        }

        if (!parsed.Read && !parsed.Write && !parsed.Sweep && !parsed.Cache && !parsed.Wire && !parsed.Training && !parsed.Large && !parsed.Chunks && !parsed.Hot && !parsed.Scale)
        {
            parsed.Read = parsed.Write = parsed.Sweep = parsed.Cache = parsed.Wire = parsed.Training = true;
        }

        return parsed;
    }

    /// <summary>Sets the chunking the command line asks for (and nothing else) on <paramref name="options"/>.</summary>
    public void Configure(AzFuseOptions options)
    {
        if (ChunkSize is { } chunk)
        {
            options.ChunkSize = chunk;
        }

        if (InFlight is { } inFlight)
        {
            options.ChunksInFlight = inFlight;
        }
    }

    /// <summary>Default options with <see cref="Configure"/> applied: what the library runs with here.</summary>
    public AzFuseOptions Options()
    {
        var options = new AzFuseOptions();
        Configure(options);
        return options;
    }

    private static int Positive(string[] args, int i) =>
        i < args.Length && int.TryParse(args[i], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new FormatException($"expected a positive number after '{args[i - 1]}'");

    private static string[] List(string[] args, int i) =>
        i < args.Length ? args[i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : throw new FormatException($"expected a list after '{args[i - 1]}'");

    private static HashSet<string> ScaleOnly(string[] parts) =>
        parts.FirstOrDefault(p => !ScalePartNames.Contains(p)) is { } unknown
            ? throw new FormatException($"'{unknown}' is not a part of the scale set ({string.Join(", ", ScalePartNames)})")
            : parts.ToHashSet(StringComparer.Ordinal);

    private static long ParseSize(string text)
    {
        var shift = char.ToUpperInvariant(text[^1]) switch { 'K' => 10, 'M' => 20, _ => 0 };
        var digits = shift == 0 ? text : text[..^1];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n << shift
            : throw new FormatException($"'{text}' is not a size such as 4K or 16M");
    }
}
