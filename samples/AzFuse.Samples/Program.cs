// AzFuse sample: read a few hundred blobs through the local cache, as a training job would.
//
//   ./build.sh sample
//
// Setup (not AzFuse usage): start a local Azurite emulator, write the two YAML files that
// configure AzFuse, and upload demo files into a container. Then every AzFuse call below is
// the public API, configured by environment variables exactly as in production.
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using AzFuse;
using AzFuse.Testing;

const int FileCount = 300;

Console.WriteLine("Setting up: local Azurite, AzFuse configuration, demo container...");
await using var azurite = await AzuriteServer.StartAsync();
using var sandbox = await AzFuseSandbox.CreateAsync(azurite);
var seed = Stopwatch.StartNew();
await sandbox.UploadManyAsync(Enumerable.Range(0, FileCount).Select(i => ($"train/{i:D4}.txt", Encoding.UTF8.GetBytes($"sample {i}\n"))));
Console.WriteLine($"  Azurite at {azurite.Endpoint}; uploaded {FileCount} files in {seed.ElapsedMilliseconds} ms");
Console.WriteLine();
Console.WriteLine($"# {sandbox.MappingFile}");
Console.WriteLine(File.ReadAllText(sandbox.MappingFile));
var accountFile = Path.Combine(sandbox.AccountFolder, "azurite.yaml");
Console.WriteLine($"# {accountFile} (key masked here)");
Console.WriteLine(Regex.Replace(File.ReadAllText(accountFile), "account_key: .*", "account_key: <Azurite's well-known development key>"));

// This is how an application is configured: environment variables, read on first use.
foreach (var (name, value) in sandbox.EnvironmentVariables)
{
    Environment.SetEnvironmentVariable(name, value);
}

Environment.CurrentDirectory = sandbox.Root; // logical paths such as data/train/0000.txt are relative to here
var paths = Enumerable.Range(0, FileCount).Select(i => $"data/train/{i:D4}.txt").ToList();
var steps = new List<(string Step, long Ms, string Note)>();

var watch = Stopwatch.StartNew();
using (var reader = new StreamReader(AzFile.Open(paths[0], FileMode.Open)))
{
    var text = reader.ReadToEnd().Trim();
    steps.Add(("Open, cache miss (1 file)", watch.ElapsedMilliseconds, $"read \"{text}\" (auto: one HTTP GET for a small file)"));
}

watch.Restart();
using (AzFile.Open(paths[0], FileMode.Open))
{
    steps.Add(("Open, cache hit (same file)", watch.ElapsedMilliseconds, "no network, no process"));
}

watch.Restart();
AzFile.Prepare(paths);
steps.Add(($"Prepare ({FileCount - 1} missing files)", watch.ElapsedMilliseconds, "auto: parallel HTTP GETs (a batch this small is faster than an azcopy job)"));

watch.Restart();
long bytes = 0;
foreach (var path in paths)
{
    using var stream = AzFile.Open(path, FileMode.Open);
    bytes += stream.Length;
}

steps.Add(($"Open all {FileCount}, after Prepare", watch.ElapsedMilliseconds, $"{bytes} bytes, all cache hits"));

AzFile.ClearCache("data/train");
watch.Restart();
foreach (var path in paths.Take(20))
{
    using var stream = AzFile.Open(path, FileMode.Open);
}

steps.Add(("Open 20, one miss each", watch.ElapsedMilliseconds, "one GET per file, one after another: why Prepare exists"));

watch.Restart();
AzFile.Prepare(paths);
steps.Add(($"Prepare ({FileCount - 20} missing files)", watch.ElapsedMilliseconds, "cached files are skipped"));

watch.Restart();
try
{
    AzFile.Prepare(["data/train/0000.txt", "data/train/does-not-exist.txt"]);
}
catch (AzFuseTransferException ex)
{
    steps.Add(("Prepare with a missing file", watch.ElapsedMilliseconds, $"FileNotFound reported for {ex.Failures[0].Path}"));
}

watch.Restart();
var listed = AzFile.List("data/train").Count();
steps.Add(("List data/train", watch.ElapsedMilliseconds, $"{listed} logical paths, straight from the container listing"));

watch.Restart();
var exists = AzFile.Exists("data/train/0001.txt") && !AzFile.Exists("data/train/does-not-exist.txt");
var length = AzFile.GetLength("data/train/0002.txt");
steps.Add(("Exists x2, GetLength", watch.ElapsedMilliseconds, $"exists: {exists}, length {length} bytes (no download)"));

var url = AzFile.GetUrl("data/train/0003.txt", TimeSpan.FromHours(1));
steps.Add(("GetUrl", 0, $"read-only link: {url.GetLeftPart(UriPartial.Path)}?...sig=(secret)"));

Console.WriteLine();
Console.WriteLine($"{"step",-34} {"ms",7}  note");
Console.WriteLine(new string('-', 90));
foreach (var (step, ms, note) in steps)
{
    Console.WriteLine($"{step,-34} {ms,7}  {note}");
}

Console.WriteLine();
var stats = AzFile.GetCacheStats();
Console.WriteLine($"Cache folder: {sandbox.CacheRoot}: {stats.Files} files, {stats.Bytes} bytes; this run: {stats.Hits} hits, {stats.Misses} misses, {stats.Evictions} evictions");
