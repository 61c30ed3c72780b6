using System.CommandLine;
using System.Globalization;

namespace AzFuse.Cli;

/// <summary>
/// <c>--usage</c>: after any command, what it asked of Blob Storage (AzFuseClient.GetUsage), on
/// stderr so that stdout stays the command's output (<c>azfuse cat --usage f &gt; copy</c>).
/// </summary>
internal static class UsageReport
{
    public static Option<bool> CreateOption() => new("--usage")
    {
        Description = "After the command, print on stderr the storage requests it made (read, write, list, other) and the bytes it moved, to estimate its cost.",
        Recursive = true,
    };

    public static void Write(CliContext context)
    {
        var usage = context.ClientIfCreated?.GetUsage() ?? new AzFuseUsage();
        var error = context.Console.Error;
        error.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"usage: {usage.TotalRequests} request(s): {usage.ReadRequests} read, {usage.WriteRequests} write, {usage.ListRequests} list, {usage.OtherRequests} other; {usage.BytesDownloaded} bytes downloaded, {usage.BytesUploaded} bytes uploaded"));
        if (usage.AzCopyBytesDownloaded + usage.AzCopyBytesUploaded > 0)
        {
            error.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"usage: of which azcopy moved {usage.AzCopyBytesDownloaded} bytes down and {usage.AzCopyBytesUploaded} up (its requests are not counted above)"));
        }
    }
}
