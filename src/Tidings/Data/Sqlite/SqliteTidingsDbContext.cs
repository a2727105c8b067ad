using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;

namespace Tidings.Data.Sqlite;

/// <summary>The embedded default: one SQLite file. Carries the SQLite migrations.</summary>
public sealed class SqliteTidingsDbContext : TidingsDbContext
{
    /// <summary>The one constructor, as the pool needs it: a context serves a unit of work once bound to it (<see cref="TidingsDbContext.Bind"/>).</summary>
    public SqliteTidingsDbContext(DbContextOptions<SqliteTidingsDbContext> options)
        : base(options)
    {
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        // SQLite keeps no time zone: every stored time is UTC, and is read back as UTC.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }
}

public sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    value => value.Kind == DateTimeKind.Utc ? value : value.ToUniversalTime(),
    value => DateTime.SpecifyKind(value, DateTimeKind.Utc));

/// <summary>Lets `dotnet ef migrations add --context SqliteTidingsDbContext` build the model.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteTidingsDbContext>
{
    public SqliteTidingsDbContext CreateDbContext(string[] args) =>
        new(DatabaseSetup.SqliteOptions("Data Source=design-time.db").Options);
}
