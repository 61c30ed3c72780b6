using Microsoft.Extensions.Logging;

namespace AzFuse.Cli;

/// <summary>
/// The library's log events, one line each on stderr: warnings always (an unknown key in a YAML
/// file, a retry), everything with --verbose. The library never puts a SAS or key in a log
/// message; the line still goes through <see cref="Secrets.Redact"/> as a second guard.
/// </summary>
internal sealed class StderrLoggerFactory(TextWriter error, LogLevel minimum) : ILoggerFactory, ILogger
{
    private readonly object _gate = new();

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
        // Only stderr: providers are not composed here.
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var line = Secrets.Redact($"azfuse: [{logLevel}] {formatter(state, exception)}");
        lock (_gate)
        {
            error.WriteLine(line);
        }
    }

    public void Dispose()
    {
        // Nothing held.
    }
}
