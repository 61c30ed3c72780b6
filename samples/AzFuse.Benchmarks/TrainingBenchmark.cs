using System.Diagnostics;
using System.Globalization;
using System.Text;
using AzFuse.Testing;

namespace AzFuse.Benchmarks;

/// <summary>
/// Training jobs: ranks on one machine preparing the same dataset together against one process
/// preparing it alone (wall time, and bytes fetched from the service against the dataset's size,
/// from Azurite's access log); and how long a process with queued uploads takes to exit on SIGTERM
/// against ending its AsyncUpload scope normally. Each rank is this program run again as a child
/// (<see cref="TrainingChild"/>), started and waiting before the clock starts.
/// </summary>
internal static class TrainingBenchmark
{
    private const int Files = 2000;
    private const int FileSize = 64 << 10;
    private const int Ranks = 8;
    private const int Queued = 300;
    private const int SigTerm = 15;

    public static async Task RunAsync(Workbench bench)
    {
        Console.WriteLine($"Seeding the training benchmark's blobs ({Files} of {Table.Size(FileSize)})...");
        await bench.SeedManyAsync("train/set", Files, FileSize);
        for (var rank = 0; rank < Ranks; rank++)
        {
            await bench.SeedManyAsync($"train/warm/{rank}", TrainingChild.WarmUpFiles, FileSize);
        }

        SharedPrepare(bench, warm: true);
        SharedPrepare(bench, warm: false);
        ShutdownDrain(bench);
    }

    /// <param name="bench">The workbench.</param>
    /// <param name="warm">
    /// Each rank first prepares 160 files of its own, 16 at a time, so that the code is compiled and
    /// optimized when the clock starts, as in a rank that has been working: what sharing the work
    /// costs. Cold ranks also each compile the download path (seconds of CPU per process with .NET's
    /// default tiered PGO, about half without), which on a machine of few cores adds up.
    /// </param>
    private static void SharedPrepare(Workbench bench, bool warm)
    {
        var relatives = Enumerable.Range(0, Files).Select(i => $"train/set/{i}.bin").ToList();
        var fetched = new Dictionary<int, List<int>>();
        var cpu = new Dictionary<int, List<(double Clients, double Azurite)>>();
        Candidate Ranked(int ranks)
        {
            fetched[ranks] = [];
            cpu[ranks] = [];
            List<Child> children = [];
            var barrier = string.Empty;
            var before = 0;
            var azuriteBefore = TimeSpan.Zero;
            return new Candidate(
                ranks == 1 ? $"1 process, Prepare({Files})" : $"{ranks} processes, each Prepare(the same {Files})",
                Setup: () =>
                {
                    bench.Client(AzFuseTransferEngine.Auto).ClearCache(Workbench.Logical("train"));
                    LetDeletionsSettle();
                    barrier = Path.Combine(bench.NewScratchFolder(), "go");
                    children = Enumerable.Range(0, ranks)
                        .Select(rank => Child.Start(bench, ["prepare", Workbench.Logical("train/set"), Files.ToString(CultureInfo.InvariantCulture), barrier, .. warm ? [Workbench.Logical($"train/warm/{rank}")] : Array.Empty<string>()]))
                        .ToList();
                    children.ForEach(c => c.Expect("waiting"));
                    before = GetsOfDataset(bench);
                    azuriteBefore = bench.Sandbox.Server.ProcessorTime;
                },
                Run: () =>
                {
                    File.WriteAllText(barrier, string.Empty);
                    children.ForEach(c => c.WaitForExit());
                },
                Check: () =>
                {
                    var azurite = (bench.Sandbox.Server.ProcessorTime - azuriteBefore).TotalMilliseconds;
                    var clients = children.Sum(c => double.Parse(c.ReadLine("cpu "), CultureInfo.InvariantCulture));
                    children.ForEach(c => c.RequireExitCode(0));
                    bench.RequireCached(relatives);
                    fetched[ranks].Add(GetsOfDataset(bench) - before);
                    cpu[ranks].Add((clients, azurite));
                });
        }

        var state = warm ? "warm (each prepared 160 other files first, 16 at a time)" : "cold (the download path not compiled yet)";
        var timings = bench.Measurement.Compare($"{Ranks} {(warm ? "warm" : "cold")} ranks preparing the same {Files} x {Table.Size(FileSize)}", [Ranked(1), Ranked(Ranks)]);
        Measurement.Print($"T1{(warm ? "a" : "b")}. Prepare of {Files} x {Table.Size(FileSize)}, empty cache, processes started, {state} and waiting: median of {bench.Measurement.Repeat} runs", timings);
        if (warm)
        {
            Table.PrintRatio($"{Ranks} processes / 1 process", timings[1].Median, timings[0].Median, "at most 1.3x", timings[1].Median.TotalMilliseconds <= 1.3 * timings[0].Median.TotalMilliseconds);
        }
        else
        {
            Table.PrintRatio($"{Ranks} processes / 1 process", timings[1].Median, timings[0].Median);
        }

        // On a machine of few cores the clients' CPU competes with the emulator's: the reason behind the ratio.
        var usage = new Table("what", "CPU ms, all client processes", "CPU ms, Azurite");
        foreach (var (ranks, i) in new[] { (1, 0), (Ranks, 1) })
        {
            usage.Add(timings[i].Name, Median(cpu[ranks].Select(c => c.Clients)), Median(cpu[ranks].Select(c => c.Azurite)));
        }

        usage.Print("   CPU time used from the barrier on (median of the runs, warm-up included)");

        // Every run, the warm-up's too: the worst is what counts.
        var worst = fetched[Ranks].Max();
        Console.WriteLine($"  {$"bytes fetched by {Ranks} processes / dataset",-44} {Table.Ratio((double)worst / Files),8}  (target: at most 1.0x)  -> {(worst <= Files ? "met" : "MISSED")}  (worst run: {worst} GETs of {Files} blobs; 1 process: {fetched[1].Max()})");
    }

    private static void ShutdownDrain(Workbench bench)
    {
        var run = 0;
        Candidate Ending(string name, int queued, Action<Child> end, int exitCode)
        {
            Child? child = null;
            var folder = string.Empty;
            return new Candidate(
                name,
                Setup: () =>
                {
                    folder = Workbench.Logical($"queue/{++run}");
                    child = Child.Start(bench, "queue", folder, queued.ToString(CultureInfo.InvariantCulture));
                    child.Expect("written");
                },
                Run: () =>
                {
                    end(child!);
                    child!.WaitForExit();
                },
                Check: () =>
                {
                    child!.RequireExitCode(exitCode);
                    var uploaded = bench.Client(AzFuseTransferEngine.Auto).List(folder).Count();
                    if (uploaded != queued)
                    {
                        throw new InvalidOperationException($"{uploaded} of {queued} queued files were uploaded before the process ended.");
                    }
                },
                Route: "child process");
        }

        var timings = bench.Measurement.Compare(
            $"ending a process with {Queued} queued uploads",
            [
                Ending($"SIGTERM, {Queued} small files queued", Queued, c => Signals.Send(c.Id, SigTerm), 128 + SigTerm),
                Ending($"scope ended normally, {Queued} small files queued", Queued, c => c.SendLine(), 0),
                Ending("SIGTERM, nothing queued", 0, c => Signals.Send(c.Id, SigTerm), 128 + SigTerm),
            ]);
        Measurement.Print($"T2. From the signal (or the scope's end) to the process's exit, every file uploaded: median of {bench.Measurement.Repeat} runs", timings);
        Table.PrintRatio("SIGTERM drain / scope ended normally", timings[0].Median, timings[1].Median);
    }

    /// <summary>
    /// Lets the inodes the cache clearing freed age: ext4 skips an inode freed in the last 5 s
    /// (longer while its bitmap is unwritten) when it allocates one, so a folder re-filled just
    /// after 2,000 deletions costs every create a scan over them (the kernel's time, not the
    /// library's; a fresh machine's cache has none). Untimed.
    /// </summary>
    private static void LetDeletionsSettle()
    {
        ChildProcess.Run("sync", []);
        Thread.Sleep(TimeSpan.FromSeconds(5.5));
    }

    private static string Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2].ToString("F0", CultureInfo.InvariantCulture);
    }

    /// <summary>GETs of the dataset's blobs that Azurite has served so far.</summary>
    private static int GetsOfDataset(Workbench bench) =>
        bench.Sandbox.Server.RequestsToAsync(bench.Sandbox.ContainerName).GetAwaiter().GetResult()
            .Count(r => r.StartsWith($"GET /{AzuriteServer.AccountName}/{bench.Sandbox.ContainerName}/{Workbench.BlobName("train/set/")}", StringComparison.Ordinal));

    /// <summary>This program run again as a rank (<see cref="TrainingChild"/>), with the sandbox's AZFUSE_* variables.</summary>
    private sealed class Child
    {
        private readonly Process _process;
        private readonly StringBuilder _stderr = new();

        private Child(Process process)
        {
            _process = process;
            _process.ErrorDataReceived += (_, e) =>
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }
            };
            _process.BeginErrorReadLine();
        }

        public int Id => _process.Id;

        public static Child Start(Workbench bench, params string[] arguments)
        {
            var self = Environment.ProcessPath ?? throw new InvalidOperationException("The benchmark cannot find its own executable.");
            var startInfo = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            {
                startInfo.ArgumentList.Add(typeof(TrainingChild).Assembly.Location);
            }

            startInfo.ArgumentList.Add("child");
            foreach (var argument in arguments)
            {
                startInfo.ArgumentList.Add(argument);
            }

            foreach (var (name, value) in bench.Sandbox.EnvironmentVariables)
            {
                startInfo.Environment[name] = value;
            }

            return new Child(Process.Start(startInfo) ?? throw new InvalidOperationException("A child process did not start."));
        }

        public void Expect(string line)
        {
            var read = _process.StandardOutput.ReadLine();
            if (read != line)
            {
                _process.WaitForExit(5000);
                throw new InvalidOperationException($"A child said '{read}' instead of '{line}': {Stderr()}");
            }
        }

        /// <summary>The rest of the line the child prints next, which must start with <paramref name="prefix"/>.</summary>
        public string ReadLine(string prefix)
        {
            var read = _process.StandardOutput.ReadLine();
            return read is not null && read.StartsWith(prefix, StringComparison.Ordinal)
                ? read[prefix.Length..]
                : throw new InvalidOperationException($"A child said '{read}' instead of '{prefix}...': {Stderr()}");
        }

        public void SendLine()
        {
            _process.StandardInput.WriteLine();
            _process.StandardInput.Flush();
        }

        public void WaitForExit()
        {
            if (!_process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                _process.Kill();
                throw new TimeoutException("A child process did not finish in 5 minutes.");
            }

            _process.WaitForExit(); // the stderr reader's last lines
        }

        public void RequireExitCode(int expected)
        {
            if (_process.ExitCode != expected)
            {
                throw new InvalidOperationException($"A child exited with code {_process.ExitCode}, not {expected}: {Stderr()}");
            }

            _process.Dispose();
        }

        private string Stderr()
        {
            lock (_stderr)
            {
                var text = _stderr.ToString().Trim();
                return text.Length > 2000 ? text[^2000..] : text;
            }
        }
    }
}
