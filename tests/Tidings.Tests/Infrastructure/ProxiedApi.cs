using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Tidings.Tests.Infrastructure;

/// <summary>
/// The real service behind a known proxy (127.0.0.1, where the tests connect from), with small sign-in,
/// sign-up and token limits. Each client comes from an address of its own (X-Forwarded-For), so tests meet
/// only the limits they aim at; <see cref="From"/> picks the address. Its log entries are kept in <see cref="Logs"/>.
/// </summary>
public abstract class ProxiedApi<TDatabase> : TidingsServer<TDatabase> where TDatabase : TestDatabase, new()
{
    public const int AttemptsPerAddressPerMinute = 12;
    public const int FailuresPerAddressAndEmail = 3;
    public const int FailuresPerEmail = 7;
    public const int SignupsPerAddress = 3;
    public const int TokensPerAddress = 3;

    private static int _lastAddress;

    public LogCapture Logs { get; } = new();

    protected override void Configure(WebApplicationBuilder builder)
    {
        builder.Configuration["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1";
        builder.Configuration["ForwardedHeaders:KnownNetworks:0"] = "192.0.2.0/24";
        builder.Configuration["SignIn:AttemptsPerAddressPerMinute"] = AttemptsPerAddressPerMinute.ToString();
        builder.Configuration["SignIn:FailuresPerAddressAndEmailPerFiveMinutes"] = FailuresPerAddressAndEmail.ToString();
        builder.Configuration["SignIn:FailuresPerEmailPerHour"] = FailuresPerEmail.ToString();
        builder.Configuration["SignIn:SignupsPerAddressPerHour"] = SignupsPerAddress.ToString();
        builder.Configuration["SignIn:TokensPerAddressPerHour"] = TokensPerAddress.ToString();
        builder.Logging.AddProvider(Logs);
    }

    /// <summary>A client with no credentials, from a fresh address of 10.0.0.0/8.</summary>
    public override HttpClient Anonymous(string userAgent = "Tidings.Tests") => From(NewAddress(), userAgent);

    /// <summary>A client with no credentials whose requests the proxy forwards for <paramref name="address"/>.</summary>
    public HttpClient From(string address, string userAgent = "Tidings.Tests")
    {
        var client = base.Anonymous(userAgent);
        client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        return client;
    }

    public static string NewAddress()
    {
        var n = Interlocked.Increment(ref _lastAddress);
        return $"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}";
    }
}

public sealed class SqliteProxiedApi : ProxiedApi<SqliteDatabase>;
public sealed class PostgresProxiedApi : ProxiedApi<PostgresDatabase>;

/// <summary>Keeps every log entry of a server, to check what is logged (and what never is).</summary>
public sealed class LogCapture : ILoggerProvider
{
    public sealed record Entry(string Category, LogLevel Level, EventId EventId, string Message, IReadOnlyList<KeyValuePair<string, object?>> State);

    private readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyList<Entry> Entries => _entries.ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture._entries.Enqueue(new Entry(category, logLevel, eventId, formatter(state, exception),
                state as IReadOnlyList<KeyValuePair<string, object?>> ?? []));
    }
}
