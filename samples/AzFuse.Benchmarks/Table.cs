using System.Globalization;

namespace AzFuse.Benchmarks;

/// <summary>A plain-text table: the first column left-aligned, the others right-aligned unless marked.</summary>
internal sealed class Table
{
    private readonly string[] _headers;
    private readonly bool[] _left;
    private readonly List<string[]> _rows = [];

    /// <param name="headers">Column headers; a header starting with '&lt;' is left-aligned (the '&lt;' is not printed).</param>
    public Table(params string[] headers)
    {
        _left = headers.Select((h, i) => i == 0 || h.StartsWith('<')).ToArray();
        _headers = headers.Select(h => h.TrimStart('<')).ToArray();
    }

    public void Add(params string[] cells) => _rows.Add(cells);

    public void Print(string title)
    {
        var widths = _headers.Select((h, i) => Math.Max(h.Length, _rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        Console.WriteLine();
        Console.WriteLine(title);
        Console.WriteLine(Line(_headers));
        Console.WriteLine(new string('-', widths.Sum() + (2 * (widths.Length - 1))));
        foreach (var row in _rows)
        {
            Console.WriteLine(Line(row));
        }

        string Line(string[] cells) =>
            string.Join("  ", cells.Select((c, i) => _left[i] ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd();
    }

    public static string Ms(TimeSpan time) => time.TotalMilliseconds.ToString(time.TotalMilliseconds < 100 ? "F1" : "F0", CultureInfo.InvariantCulture);

    public static string Ratio(double ratio) => ratio.ToString(ratio < 10 ? "F2" : "F1", CultureInfo.InvariantCulture) + "x";

    public static string Size(long bytes) => bytes switch
    {
        long.MaxValue => "never",
        >= 1L << 20 when bytes % (1L << 20) == 0 => $"{bytes >> 20} MB",
        >= 1L << 10 when bytes % (1L << 10) == 0 => $"{bytes >> 10} KB",
        _ => $"{bytes} B",
    };

    /// <summary>Prints "label = a / b = ratio (target ...) -> met/missed".</summary>
    public static void PrintRatio(string label, TimeSpan numerator, TimeSpan denominator, string? target = null, bool? met = null)
    {
        var ratio = numerator / denominator;
        var verdict = met is null ? "" : met.Value ? "  -> met" : "  -> MISSED";
        var goal = target is null ? "" : $"  (target: {target})";
        Console.WriteLine($"  {label,-44} {Ratio(ratio),8}{goal}{verdict}");
    }
}
