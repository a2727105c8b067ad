using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Tidings.Tests.Infrastructure;

/// <summary>One log entry as the service wrote it: level, category, message and its structured values.</summary>
public sealed record LogEntry(LogLevel Level, string Category, string Message, IReadOnlyDictionary<string, object?> Values, Exception? Exception)
{
    public object? this[string name] => Values.GetValueOrDefault(name);
}

/// <summary>
/// What the service writes to its log under its shipped levels (appsettings.json), as an operator reads it,
/// plus the start and end of every request, for tests to read.
/// </summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public void AttachTo(WebApplicationBuilder builder)
    {
        builder.Logging.AddProvider(this);
        // "Request starting ..." and "Request finished ... 200": how a test knows a request it cannot see ended.
        builder.Logging.AddFilter<CapturedLogs>("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Information);
    }

    /// <summary>Waits (bounded by a guard, not a timing assertion) until an entry matches.</summary>
    public async Task<LogEntry> WaitForAsync(Func<LogEntry, bool> match, string what)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (!guard.IsCancellationRequested)
        {
            if (_entries.FirstOrDefault(match) is { } entry)
                return entry;
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException($"No log entry {what}. Logged:\n{string.Join("\n", _entries.Select(e => $"{e.Level} {e.Category}: {e.Message}"))}");
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.First().Value)
                : [];
            logs._entries.Enqueue(new LogEntry(logLevel, category, formatter(state, exception), values, exception));
        }
    }
}
