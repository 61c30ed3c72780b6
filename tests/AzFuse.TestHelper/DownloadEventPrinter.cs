using System.Diagnostics;
using Microsoft.Extensions.Logging;

/// <summary>
/// Prints the library's download events (40: started, 3: done; both logged under the file's fill
/// lock) with a monotonic timestamp, so that a test can tell whether two processes ever
/// downloaded one file at the same time.
/// </summary>
internal sealed class DownloadEventPrinter : ILoggerFactory, ILoggerProvider, ILogger
{
    private static readonly object s_gate = new();

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var kind = eventId.Id switch
        {
            40 => "start",
            3 => "end",
            _ => null,
        };
        if (kind is null || state is not IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            return;
        }

        var path = values.FirstOrDefault(v => v.Key == "LogicalPath").Value;
        lock (s_gate)
        {
            Console.WriteLine($"download {kind} {Stopwatch.GetTimestamp()} {path}");
        }
    }

    public void Dispose()
    {
    }
}
