using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AzFuse.Cli;

/// <summary>Keeps the library's warnings (such as unknown keys in a YAML file) for a command to show its own way.</summary>
internal sealed class WarningCollector : ILoggerFactory, ILogger
{
    private readonly ConcurrentQueue<string> _warnings = new();

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
        // Only collected here.
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            _warnings.Enqueue(formatter(state, exception));
        }
    }

    /// <summary>The warnings so far, each once, in order; the collector is empty afterwards.</summary>
    public IReadOnlyList<string> Take()
    {
        var taken = new List<string>();
        while (_warnings.TryDequeue(out var warning))
        {
            if (!taken.Contains(warning, StringComparer.Ordinal))
            {
                taken.Add(warning);
            }
        }

        return taken;
    }

    public void Dispose()
    {
        // Nothing held.
    }
}
