using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AzFuse.Benchmarks;

/// <summary>
/// Collects the library's warnings and errors (a retried transfer, a fallback) so that each table
/// can say whether its times include retries; the benchmark does not work around them.
/// </summary>
internal sealed class WarningLog : ILoggerFactory, ILogger
{
    private readonly ConcurrentQueue<string> _messages = new();

    public int Count => _messages.Count;

    /// <summary>The messages logged since <paramref name="start"/> (a <see cref="Count"/> taken earlier).</summary>
    public IReadOnlyList<string> Since(int start) => _messages.Skip(start).ToList();

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            _messages.Enqueue($"{logLevel} {eventId.Id}: {formatter(state, exception)}");
        }
    }

    public void Dispose()
    {
    }
}
