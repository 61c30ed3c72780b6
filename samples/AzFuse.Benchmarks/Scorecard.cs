using System.Globalization;

namespace AzFuse.Benchmarks;

/// <summary>
/// The targets of a benchmark set, gathered as they are measured and printed together at the end:
/// what was compared, the ratio measured in this run, the target, and whether it was met.
/// </summary>
internal sealed class Scorecard
{
    private readonly Table _table = new("<what", "measured", "<target", "<result");

    /// <summary>A time ratio (or any number) with its target; also printed at once, under the table it came from.</summary>
    public void Add(string what, double measured, string unit, string target, bool met)
    {
        var value = unit == "x" ? Table.Ratio(measured) : measured.ToString("F1", CultureInfo.InvariantCulture) + " " + unit;
        _table.Add(what, value, target, met ? "pass" : "MISS");
        Console.WriteLine($"  {what,-52} {value,10}  (target: {target})  -> {(met ? "pass" : "MISS")}");
    }

    public void Print(string title) => _table.Print(title);
}
