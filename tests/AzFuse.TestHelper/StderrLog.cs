using Microsoft.Extensions.Logging;

/// <summary>Every log event of the library on stderr, one line each: "[event id] message".</summary>
internal sealed class StderrLog : ILoggerFactory, ILoggerProvider, ILogger
{
    private static readonly object s_gate = new();

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (s_gate)
        {
            Console.Error.WriteLine($"[{eventId.Id}] {formatter(state, exception)}");
        }
    }

    public void Dispose()
    {
    }
}
