using System.Globalization;
using System.Text.Json;

namespace AzFuse.Transfer;

/// <summary>The EndOfJob (or last Progress) report of an azcopy job.</summary>
internal sealed record AzCopyJobSummary(
    string JobStatus,
    long TransfersCompleted,
    long TransfersFailed,
    long TransfersSkipped,
    long TotalBytesTransferred,
    long BytesOverWire,
    string ErrorMessage,
    IReadOnlyList<AzCopyFailedTransfer> FailedTransfers)
{
    public static AzCopyJobSummary Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var failed = new List<AzCopyFailedTransfer>();
        if (root.TryGetProperty("FailedTransfers", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in list.EnumerateArray())
            {
                failed.Add(new AzCopyFailedTransfer(
                    String(item, "Src"),
                    String(item, "Dst"),
                    item.TryGetProperty("ErrorCode", out var code) ? code.ToString() : string.Empty,
                    String(item, "TransferStatus")));
            }
        }

        return new AzCopyJobSummary(
            String(root, "JobStatus"),
            Number(root, "TransfersCompleted"),
            Number(root, "TransfersFailed"),
            Number(root, "TransfersSkipped"),
            Number(root, "TotalBytesTransferred"),
            Number(root, "BytesOverWire"),
            String(root, "ErrorMsg"),
            failed)
        {
            ProgressMark = new AzCopyProgressMark(
                Number(root, "TotalTransfers"),
                Number(root, "TotalBytesEnumerated"),
                root.TryGetProperty("CompleteJobOrdered", out var ordered) && ordered.ValueKind == JsonValueKind.True,
                Number(root, "TransfersCompleted"),
                Number(root, "TransfersFailed"),
                Number(root, "TransfersSkipped"),
                Number(root, "FoldersCompleted"),
                Number(root, "FoldersFailed"),
                Number(root, "FoldersSkipped"),
                Number(root, "TotalBytesTransferred"),
                Number(root, "BytesOverWire")),
        };
    }

    /// <summary>Every counter azcopy reports, for the stall watchdog: a change in any of them is progress.</summary>
    public AzCopyProgressMark ProgressMark { get; init; }

    /// <summary>One line for messages: "Completed: 998 done, 2 failed, 0 skipped".</summary>
    public override string ToString() =>
        $"{JobStatus}: {TransfersCompleted} done, {TransfersFailed} failed, {TransfersSkipped} skipped" +
        (ErrorMessage.Length > 0 ? $" ({ErrorMessage})" : string.Empty);

    // azcopy writes its counters as strings ("TransfersCompleted":"2").
    private static long Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && long.TryParse(value.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static string String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? string.Empty : string.Empty;
}

/// <summary>
/// The counters of one azcopy progress message (azcopy 10.32.2's <c>ListJobSummaryResponse</c>).
/// What the scan found so far: <paramref name="TotalTransfers"/> and <paramref name="TotalBytesEnumerated"/>,
/// which grow by a part of up to 10,000 files at a time, until <paramref name="CompleteJobOrdered"/>;
/// what became of the files and folders: completed, failed, skipped; and the bytes moved.
/// </summary>
internal readonly record struct AzCopyProgressMark(
    long TotalTransfers,
    long TotalBytesEnumerated,
    bool CompleteJobOrdered,
    long TransfersCompleted,
    long TransfersFailed,
    long TransfersSkipped,
    long FoldersCompleted,
    long FoldersFailed,
    long FoldersSkipped,
    long TotalBytesTransferred,
    long BytesOverWire);

/// <summary>One entry of an azcopy job's FailedTransfers list.</summary>
internal sealed record AzCopyFailedTransfer(string Source, string Destination, string ErrorCode, string Status);
