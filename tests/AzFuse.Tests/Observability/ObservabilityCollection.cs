using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using AzFuse.Tests.Infrastructure;

namespace AzFuse.Tests.Observability;

/// <summary>
/// The metrics and traces tests: the "AzFuse" meter and activity source are process-wide, so these
/// run alone (after the parallel collections), on their own Azurite, and can expect exact counts.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ObservabilityCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Observability";

#pragma warning disable CA2255 // A test assembly, not a library: the switch must be set before the Azure SDK first reads it.
    [ModuleInitializer]
    internal static void EnableAzureActivitySources() => AppContext.SetSwitch("Azure.Experimental.EnableActivitySource", true);
#pragma warning restore CA2255
}

/// <summary>Every measurement of the "AzFuse" meter while it lives, by instrument.</summary>
public sealed class MeasurementRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _observed = new();

    public MeasurementRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "AzFuse")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        _listener.Start();
    }

    /// <summary>The sum of an instrument's measurements whose tags include <paramref name="tags"/>.</summary>
    public double Sum(string instrument, params (string Key, object Value)[] tags) => Matching(instrument, tags).Sum(m => m.Value);

    /// <summary>How many measurements an instrument took (for a histogram: how many values).</summary>
    public int Count(string instrument, params (string Key, object Value)[] tags) => Matching(instrument, tags).Count();

    /// <summary>Collects the observable instruments now and returns their measurements (only those).</summary>
    public List<(string Instrument, double Value, Dictionary<string, object?> Tags)> Observe()
    {
        _observed.Clear();
        _listener.RecordObservableInstruments();
        return [.. _observed];
    }

    public void Dispose() => _listener.Dispose();

    private IEnumerable<(string Instrument, double Value, Dictionary<string, object?> Tags)> Matching(string instrument, (string Key, object Value)[] tags) =>
        _measurements.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && Equals(v, t.Value)));

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        (instrument.IsObservable ? _observed : _measurements).Enqueue((instrument.Name, value, copy));
    }
}
