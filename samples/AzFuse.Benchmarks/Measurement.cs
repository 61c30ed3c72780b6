using System.Diagnostics;
using AzFuse.Testing;

namespace AzFuse.Benchmarks;

/// <summary>One way of doing the work being compared.</summary>
/// <param name="Name">What the table calls it.</param>
/// <param name="Run">The timed work.</param>
/// <param name="Setup">Untimed, before each run: e.g. empty the cache so that the run is a cache miss.</param>
/// <param name="Check">Untimed, after each run: the work must have been done, or its time means nothing.</param>
/// <param name="Route">What the route column says; default: the azcopy runs the library made, as counted.</param>
internal sealed record Candidate(string Name, Action Run, Action? Setup = null, Action? Check = null, string? Route = null);

/// <summary>One way of doing the work of <see cref="Measurement.CompareInTurns"/>, a slice at a time.</summary>
/// <param name="Name">What the table calls it.</param>
/// <param name="RunSlice">The timed work of slice k (0 to the slice count - 1) of a round.</param>
/// <param name="Setup">Untimed, at the start of each round (the warm-up too), before any slice of any candidate runs.</param>
/// <param name="Check">Untimed, at the end of each round, after every slice of every candidate.</param>
/// <param name="Route">What the route column says; default: the azcopy runs made during the comparison (by any candidate: turns are too short to count them apart).</param>
internal sealed record SlicedCandidate(string Name, Action<int> RunSlice, Action? Setup = null, Action? Check = null, string? Route = null);

/// <summary>The timed runs of one candidate.</summary>
internal sealed record Timing(string Name, IReadOnlyList<TimeSpan> Samples, string Route)
{
    public TimeSpan Median
    {
        get
        {
            var sorted = Samples.Order().ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        }
    }

    public TimeSpan Min => Samples.Min();

    public TimeSpan Max => Samples.Max();
}

/// <summary>
/// Times candidates side by side: one untimed warm-up run each, then <c>repeat</c> rounds in which
/// every candidate runs once, the order rotating each round so that drift on a noisy machine
/// (another process, the page cache filling) does not favour whichever always went first; or,
/// for short work, taking turns slice by slice within each round (<see cref="CompareInTurns"/>).
/// </summary>
internal sealed class Measurement
{
    private readonly AzCopyCounter _counter;
    private readonly WarningLog _warnings;

    public Measurement(AzCopyCounter counter, WarningLog warnings, int repeat)
    {
        _counter = counter;
        _warnings = warnings;
        Repeat = repeat;
    }

    public int Repeat { get; }

    public IReadOnlyList<Timing> Compare(string title, IReadOnlyList<Candidate> candidates, bool warmUp = true)
    {
        Console.WriteLine($"measuring: {title} ({candidates.Count} ways x {Repeat} runs{(warmUp ? " after a warm-up" : "")})");
        var started = Stopwatch.GetTimestamp();
        var warningsBefore = _warnings.Count;
        if (warmUp)
        {
            foreach (var candidate in candidates)
            {
                RunOnce(candidate);
            }
        }

        var samples = candidates.Select(_ => new List<TimeSpan>()).ToArray();
        var runs = candidates.Select(_ => new List<string>()).ToArray();
        for (var round = 0; round < Repeat; round++)
        {
            for (var k = 0; k < candidates.Count; k++)
            {
                var i = (k + round) % candidates.Count;
                var (elapsed, azCopyRuns) = RunOnce(candidates[i]);
                samples[i].Add(elapsed);
                runs[i].AddRange(azCopyRuns);
            }
        }

        Done(started, warningsBefore);
        return candidates.Select((c, i) => new Timing(c.Name, samples[i], c.Route ?? DescribeRuns(runs[i]))).ToList();
    }

    /// <summary>
    /// Times candidates that take turns slice by slice: in each of <c>repeat</c> rounds (after an
    /// untimed warm-up round) every candidate does slice 0, then every candidate slice 1, and so on,
    /// the order rotating from slice to slice and round to round; a candidate's sample for a round is
    /// the sum of its slices. For work whose whole run takes a fraction of a second (many cache hits,
    /// a few dozen small requests), where <see cref="Compare"/>'s turns of a whole run each are too
    /// coarse for a shared machine: a burst of load from another process lands on every candidate
    /// alike instead of on whichever ran in that second.
    /// </summary>
    public IReadOnlyList<Timing> CompareInTurns(string title, int slices, IReadOnlyList<SlicedCandidate> candidates)
    {
        Console.WriteLine($"measuring: {title} ({candidates.Count} ways x {Repeat} rounds of {slices} turns each, after a warm-up round)");
        var started = Stopwatch.GetTimestamp();
        var warningsBefore = _warnings.Count;
        var azCopyRunsBefore = _counter.Invocations.Count;
        RunRound(candidates, slices, round: 0);
        var samples = candidates.Select(_ => new List<TimeSpan>()).ToArray();
        for (var round = 0; round < Repeat; round++)
        {
            var sums = RunRound(candidates, slices, round);
            for (var i = 0; i < candidates.Count; i++)
            {
                samples[i].Add(sums[i]);
            }
        }

        var azCopyRuns = _counter.Invocations.Skip(azCopyRunsBefore).ToList();
        var route = azCopyRuns.Count == 0 ? DescribeRuns(azCopyRuns) : $"azcopy ran {azCopyRuns.Count}x in all ({string.Join(", ", azCopyRuns.Distinct())})";
        Done(started, warningsBefore);
        return candidates.Select((c, i) => new Timing(c.Name, samples[i], c.Route ?? route)).ToList();
    }

    private static TimeSpan[] RunRound(IReadOnlyList<SlicedCandidate> candidates, int slices, int round)
    {
        foreach (var candidate in candidates)
        {
            candidate.Setup?.Invoke();
        }

        var sums = new TimeSpan[candidates.Count];
        for (var k = 0; k < slices; k++)
        {
            for (var turn = 0; turn < candidates.Count; turn++)
            {
                var i = (turn + k + round) % candidates.Count;
                var before = Stopwatch.GetTimestamp();
                candidates[i].RunSlice(k);
                sums[i] += Stopwatch.GetElapsedTime(before);
            }
        }

        foreach (var candidate in candidates)
        {
            candidate.Check?.Invoke();
        }

        return sums;
    }

    private void Done(long started, int warningsBefore)
    {
        Console.WriteLine($"           done in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
        var warnings = _warnings.Since(warningsBefore);
        if (warnings.Count > 0)
        {
            // Retries and fallbacks are part of what the times measure: say so, with what the library said.
            Console.WriteLine($"           the library logged {warnings.Count} warning(s) meanwhile, e.g.:");
            foreach (var message in warnings.Distinct().Take(3))
            {
                Console.WriteLine($"             {message}");
            }
        }
    }

    /// <summary>Prints the usual table of a comparison: median, min, max and route of each candidate.</summary>
    public static void Print(string title, IReadOnlyList<Timing> timings)
    {
        var table = new Table("what", "median ms", "min ms", "max ms", "<route (azcopy runs per run)");
        foreach (var t in timings)
        {
            table.Add(t.Name, Table.Ms(t.Median), Table.Ms(t.Min), Table.Ms(t.Max), t.Route);
        }

        table.Print(title);
    }

    private (TimeSpan Elapsed, IReadOnlyList<string> AzCopyRuns) RunOnce(Candidate candidate)
    {
        candidate.Setup?.Invoke();
        var before = _counter.Invocations.Count;
        var watch = Stopwatch.StartNew();
        candidate.Run();
        var elapsed = watch.Elapsed;
        var azCopyRuns = _counter.Invocations.Skip(before).ToList();
        candidate.Check?.Invoke();
        return (elapsed, azCopyRuns);
    }

    // "azcopy BlobPipe x1", "azcopy BlobLocal x1", or "HTTP only (no azcopy)", per timed run.
    private string DescribeRuns(List<string> runs)
    {
        if (runs.Count == 0)
        {
            return "HTTP only (no azcopy)";
        }

        return string.Join(", ", runs.GroupBy(r => r).Select(g => $"azcopy {g.Key} x{(double)g.Count() / Repeat:0.##}"));
    }
}
