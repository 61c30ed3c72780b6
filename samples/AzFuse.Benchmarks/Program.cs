// AzFuse benchmarks: each compares ways of doing the same work in one run, against a local
// Azurite and the real azcopy, and prints wall times and their ratios. Timings on shared
// machines are noisy; the ratio of two things measured side by side is what to quote.
//
//   ./build.sh bench [read] [write] [sweep] [cache] [wire] [training] [--files N] [--big-mb N] [--repeat N] [--counts N,N,...] [--sizes S,S,...]
//
//   read    one 4 KB file against a bare GET; Prepare of --files (1000) x 4 KB against azcopy run
//           directly as one job; Prepare of 20 x 4 KB against azcopy's 2 s floor; one --big-mb
//           (256) MB file against curl. Each under auto, forced http and forced azcopy.
//   write   per-file synchronous uploads against AsyncUpload scopes (WriteBenchmark.cs).
//   sweep   forced http against forced azcopy over file sizes (download and upload) and Prepare
//           counts: where azcopy starts to win, to justify the auto thresholds (SweepBenchmark.cs).
//   cache   cache hits under each cache policy against the default; misses into a full bounded
//           cache against an unbounded one (CacheBenchmark.cs).
//   wire    one 4 KB miss and a Prepare of --files x 4 KB against a bare HttpClient (16 in flight);
//           the peak memory growth of a --big-mb download (WireBenchmark.cs).
//   training  8 processes preparing the same 2,000 x 64 KB against one process (time, bytes
//           fetched); exiting on SIGTERM with 300 queued uploads against ending the scope
//           (TrainingBenchmark.cs).
//   (none)  all six.
using System.Globalization;
using AzFuse.Benchmarks;
using AzFuse.Testing;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args is ["child", .. var childArgs])
{
    return TrainingChild.Run(childArgs); // a rank of the training benchmark
}

if (BenchmarkArguments.Parse(args) is not { } arguments)
{
    return 2;
}

Console.WriteLine("Starting a local Azurite...");
await using var azurite = await AzuriteServer.StartAsync();

if (arguments.Write)
{
    await WriteBenchmark.RunAsync(azurite, arguments.Files);
}

if (arguments.Read)
{
    using var bench = await Workbench.CreateAsync(azurite, arguments.Repeat);
    await ReadBenchmarks.RunAsync(bench, arguments);
}

if (arguments.Sweep)
{
    using var bench = await Workbench.CreateAsync(azurite, arguments.Repeat);
    await SweepBenchmark.RunAsync(bench, arguments);
}

if (arguments.Wire)
{
    using var bench = await Workbench.CreateAsync(azurite, arguments.Repeat);
    await WireBenchmark.RunAsync(bench, arguments);
}

if (arguments.Cache)
{
    using var bench = await Workbench.CreateAsync(azurite, arguments.Repeat);
    await CacheBenchmark.RunAsync(bench);
}

if (arguments.Training)
{
    using var bench = await Workbench.CreateAsync(azurite, arguments.Repeat);
    await TrainingBenchmark.RunAsync(bench);
}

return 0;
