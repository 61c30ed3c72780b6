using System.Diagnostics;
using System.Runtime.CompilerServices;
using AzFuse.Transfer;

namespace AzFuse.Diagnostics;

/// <content>
/// The activities: one per Open miss, Prepare, upload (one file, or a batch), resume and commit.
/// The Azure SDK's own spans (with <c>Azure.Experimental.EnableActivitySource</c>) and its HTTP
/// spans start while one of these is <see cref="Activity.Current"/>, so they nest under it.
/// </content>
internal static partial class Telemetry
{
    public const string PathTag = "azfuse.path";
    public const string FilesTag = "azfuse.files";
    public const string BytesTag = "azfuse.bytes";
    public const string OutcomeTag = "azfuse.outcome";

    private const string BytesProperty = "azfuse.bytes";

    /// <summary>
    /// Starts an activity (<see langword="null"/> when nobody listens), marked failed until
    /// <see cref="Succeeded"/> says otherwise: the call sites then need no try/catch, and an
    /// exception that leaves the <c>using</c> leaves the failure standing.
    /// </summary>
    public static Activity? Start(string name, string? logicalPath = null, int? files = null)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity(name, ActivityKind.Internal);
        if (activity is null)
        {
            return null;
        }

        if (logicalPath is not null)
        {
            activity.SetTag(PathTag, logicalPath);
        }

        if (files is not null)
        {
            activity.SetTag(FilesTag, files.Value);
        }

        activity.SetTag(OutcomeTag, "error");
        activity.SetStatus(ActivityStatusCode.Error);
        activity.SetCustomProperty(BytesProperty, new StrongBox<long>());
        return activity;
    }

    /// <summary>Marks the activity successful (outcome <paramref name="outcome"/>) and sets its byte count.</summary>
    public static void Succeeded(Activity? activity, string outcome = "ok")
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(OutcomeTag, outcome);
        activity.SetStatus(ActivityStatusCode.Ok);
        SetBytes(activity);
    }

    /// <summary>Sets the count of files of an activity once it is known (a Prepare's files to fetch, a batch's).</summary>
    public static void SetFiles(Activity? activity, int files) => activity?.SetTag(FilesTag, files);

    /// <summary>
    /// The bytes and route of a transfer, added to the nearest AzFuse activity: parallel transfers
    /// of one batch add up under it (the route becomes "mixed" when they went different ways).
    /// </summary>
    private static void AddToActivity(long bytes, TransferRoute route)
    {
        for (var activity = Activity.Current; activity is not null; activity = activity.Parent)
        {
            if (activity.Source != Source || activity.GetCustomProperty(BytesProperty) is not StrongBox<long> total)
            {
                continue;
            }

            Interlocked.Add(ref total.Value, bytes);
            var name = RouteName(route);
            lock (total)
            {
                var current = activity.GetTagItem(RouteTag) as string;
                activity.SetTag(RouteTag, current is null || current == name ? name : "mixed");
            }

            SetBytes(activity);
            return;
        }
    }

    private static void SetBytes(Activity activity)
    {
        if (activity.GetCustomProperty(BytesProperty) is StrongBox<long> total)
        {
            activity.SetTag(BytesTag, Interlocked.Read(ref total.Value));
        }
    }
}
