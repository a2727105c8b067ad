using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Tidings.Data.Auditing;
using Tidings.Data.Postgres;
using Tidings.Data.Sqlite;
using Tidings.Data.Tenancy;
using Tidings.Users;

namespace Tidings.Data;

public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>
/// Database:Provider (sqlite | postgres), ConnectionStrings:Tidings (the runtime role) and, for
/// PostgreSQL, ConnectionStrings:TidingsOwner (the role that owns the schema and runs migrations) and
/// how often a statement or transaction that met a transient fault is tried again (Database:MaxRetryCount,
/// Database:MaxRetryDelaySeconds). Read eagerly, not as IOptions: every CLI verb needs them before any host runs.
/// </summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString, string? OwnerConnectionString)
{
    public const string DefaultSqliteConnectionString = "Data Source=tidings.db";

    public string MigrationConnectionString => OwnerConnectionString ?? ConnectionString;

    public DatabaseRetry Retry { get; init; } = DatabaseRetry.Default;

    public static DatabaseSettings From(IConfiguration configuration)
    {
        var providerName = configuration["Database:Provider"] ?? "sqlite";
        var provider = providerName.Trim().ToLowerInvariant() switch
        {
            "sqlite" => DatabaseProvider.Sqlite,
            "postgres" or "postgresql" => DatabaseProvider.Postgres,
            _ => throw new InvalidConfigurationException($"Database:Provider '{providerName}' is not one of: sqlite, postgres."),
        };
        var connectionString = configuration.GetConnectionString("Tidings");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            connectionString = provider == DatabaseProvider.Sqlite
                ? DefaultSqliteConnectionString
                : throw new InvalidConfigurationException("ConnectionStrings:Tidings is required when Database:Provider is postgres.");
        }
        var owner = configuration.GetConnectionString("TidingsOwner");
        owner = string.IsNullOrWhiteSpace(owner) ? null : owner;
        Validate(provider, "ConnectionStrings:Tidings", connectionString);
        if (owner is not null)
            Validate(provider, "ConnectionStrings:TidingsOwner", owner);
        return new DatabaseSettings(provider, connectionString, owner) { Retry = DatabaseRetry.From(configuration) };
    }

    /// <summary>A malformed connection string is bad configuration, reported without echoing it (it may hold a password).</summary>
    private static void Validate(DatabaseProvider provider, string name, string connectionString)
    {
        try
        {
            _ = provider == DatabaseProvider.Sqlite
                ? new SqliteConnectionStringBuilder(connectionString)
                : (DbConnectionStringBuilder)new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new InvalidConfigurationException($"{name} is not a valid {provider} connection string: {e.Message}");
        }
    }
}

/// <summary>
/// PostgreSQL only: a statement, SaveChanges or a unit run through the execution strategy that fails with a transient
/// fault (a connection the server closed, a restart, too many connections) is run again, at most
/// <see cref="MaxRetryCount"/> times, the first at once and then after growing delays of at most <see cref="MaxRetryDelay"/>.
/// SQLite needs none: the provider waits for a busy database itself (the connection string's Default Timeout).
/// </summary>
public sealed record DatabaseRetry(int MaxRetryCount, TimeSpan MaxRetryDelay)
{
    public static readonly DatabaseRetry Default = new(3, TimeSpan.FromSeconds(5));

    public static DatabaseRetry From(IConfiguration configuration)
    {
        var count = configuration["Database:MaxRetryCount"];
        var delay = configuration["Database:MaxRetryDelaySeconds"];
        return new DatabaseRetry(
            count is null ? Default.MaxRetryCount
                : int.TryParse(count, CultureInfo.InvariantCulture, out var c) && c is >= 0 and <= 10 ? c
                : throw new InvalidConfigurationException($"Database:MaxRetryCount '{count}' is not a whole number from 0 to 10."),
            delay is null ? Default.MaxRetryDelay
                : double.TryParse(delay, CultureInfo.InvariantCulture, out var d) && d is > 0 and <= 60 ? TimeSpan.FromSeconds(d)
                : throw new InvalidConfigurationException($"Database:MaxRetryDelaySeconds '{delay}' is not a number of seconds above 0 and at most 60."));
    }
}

public sealed class InvalidConfigurationException(string message) : Exception(message);

public static class DatabaseSetup
{
    public static IServiceCollection AddTidingsData(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = DatabaseSettings.From(configuration);
        services.AddSingleton(settings);
        // A host (a test) may bring its own clock.
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<CurrentTenant>();
        services.AddScoped<CurrentActor>();
        // Contexts come from a pool: setting up a new one's internal services cost more of a feed page's CPU than
        // reading its rows. Each unit of work (a request's scope) leases one and binds it to its own business, actor
        // and clock; disposing the scope returns it unbound (TidingsDbContext.Bind).
        if (settings.Provider == DatabaseProvider.Sqlite)
            services.AddPooledDbContextFactory<SqliteTidingsDbContext>(o => ConfigureSqlite(o, settings.ConnectionString));
        else
            services.AddPooledDbContextFactory<PostgresTidingsDbContext>(o => ConfigurePostgres(o, settings.ConnectionString, settings.Retry));
        services.AddScoped<TidingsDbContext>(settings.Provider == DatabaseProvider.Sqlite ? Lease<SqliteTidingsDbContext> : Lease<PostgresTidingsDbContext>);
        return services;
    }

    private static TidingsDbContext Lease<T>(IServiceProvider services) where T : TidingsDbContext =>
        services.GetRequiredService<IDbContextFactory<T>>().CreateDbContext()
            .Bind(services.GetRequiredService<CurrentTenant>(), services.GetRequiredService<CurrentActor>(), services.GetRequiredService<TimeProvider>());

    /// <summary>A context outside dependency injection, for migrations (as the owner) and tests.</summary>
    public static TidingsDbContext CreateContext(DatabaseSettings settings, string connectionString, CurrentTenant tenant, CurrentActor actor, TimeProvider? clock = null) =>
        settings.Provider == DatabaseProvider.Sqlite
            ? new SqliteTidingsDbContext(SqliteOptions(connectionString).Options).Bind(tenant, actor, clock ?? TimeProvider.System)
            : new PostgresTidingsDbContext(PostgresOptions(connectionString, settings.Retry).Options).Bind(tenant, actor, clock ?? TimeProvider.System);

    public static DbContextOptionsBuilder<SqliteTidingsDbContext> SqliteOptions(string connectionString)
    {
        var builder = new DbContextOptionsBuilder<SqliteTidingsDbContext>();
        ConfigureSqlite(builder, connectionString);
        return builder;
    }

    public static DbContextOptionsBuilder<PostgresTidingsDbContext> PostgresOptions(string connectionString, DatabaseRetry? retry = null)
    {
        var builder = new DbContextOptionsBuilder<PostgresTidingsDbContext>();
        ConfigurePostgres(builder, connectionString, retry ?? DatabaseRetry.Default);
        return builder;
    }

    private static void ConfigureSqlite(DbContextOptionsBuilder options, string connectionString) =>
        Common(options.UseSqlite(connectionString).AddInterceptors(DirectWriteGuard.Instance));

    /// <summary>
    /// With retries on, EF refuses a transaction begun outside the execution strategy: every explicit transaction
    /// runs inside <c>Database.CreateExecutionStrategy().ExecuteAsync</c>, so a fault retries the whole unit, never half
    /// of it. Each attempt begins a new transaction, which PostgresTenantSession gives the business's settings again.
    /// </summary>
    private static void ConfigurePostgres(DbContextOptionsBuilder options, string connectionString, DatabaseRetry retry) =>
        // The guard reads the statement before the tenant session puts its settings in front of it.
        Common(options.UseNpgsql(ForPooledUse(connectionString), npgsql => npgsql.EnableRetryOnFailure(retry.MaxRetryCount, retry.MaxRetryDelay, ServerGoingAway))
            .AddInterceptors(DirectWriteGuard.Instance, PostgresTenantSession.Instance));

    /// <summary>What a pooled connection reads when the server was stopped or restarted under it: worth another connection.</summary>
    private static readonly string[] ServerGoingAway =
        [PostgresErrorCodes.AdminShutdown, PostgresErrorCodes.CrashShutdown, PostgresErrorCodes.CannotConnectNow];

    /// <summary>
    /// Npgsql's DISCARD ALL in front of the first statement of every pooled use cost about 0.3 ms of a 5 ms
    /// feed page. Tidings leaves no session state to discard: the tenant's settings are transaction-local
    /// (PostgresTenantSession), temporary tables drop on commit (BulkInsert), and nothing runs SET, LISTEN or
    /// session advisory locks. Code that needs session state opens its own connection. Statements are prepared
    /// once a connection has run them a few times (Max Auto Prepare, unless the connection string sets it): parsing
    /// and planning were most of the database's work for the service's small statements, and prepared statements
    /// are the one state a pooled connection keeps on purpose (Tenancy.GenericPlan says how they are planned).
    /// </summary>
    internal static string ForPooledUse(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true };
        if (!new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
                .Any(k => k.Replace(" ", "").Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase)))
            builder.MaxAutoPrepare = AutoPrepared;
        return builder.ConnectionString;
    }

    /// <summary>Prepared statements a pooled connection keeps, the service's hot ones with room to spare.</summary>
    public const int AutoPrepared = 100;

    private static void Common(DbContextOptionsBuilder options) =>
        // Every context of the process, the service's or not, tells what the process keeps (sign-ins, the feed's filter lists,
        // unread counts) what its saves changed.
        options.AddInterceptors(SignInCache.Invalidation.Instance, Pages.FeedChoices.Invalidation.Instance, Notifications.UnreadCounts.Invalidation.Instance)
            .UseSnakeCaseNamingConvention()
            // Events, tags and links hide behind their parents' filters on purpose (SoftDeleteRules).
            .ConfigureWarnings(w => w.Ignore(CoreEventId.PossibleIncorrectRequiredNavigationWithQueryFilterInteractionWarning)
                // A retry means the database failed under a request: worth seeing in the quiet default logs.
                .Log((CoreEventId.ExecutionStrategyRetrying, LogLevel.Warning))
                // A failed statement or save is reported once, where its exception ends up (ProblemExceptionHandler, the
                // CLI's one line), at the level its meaning deserves: a conflict or a busy database is not an error.
                .Log((CoreEventId.SaveChangesFailed, LogLevel.Debug), (CoreEventId.QueryIterationFailed, LogLevel.Debug),
                    (RelationalEventId.CommandError, LogLevel.Debug), (RelationalEventId.ConnectionError, LogLevel.Debug),
                    (RelationalEventId.TransactionError, LogLevel.Debug)));

    public static string UserOf(string postgresConnectionString) =>
        new NpgsqlConnectionStringBuilder(postgresConnectionString).Username ?? "";
}
