using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;

namespace Tidings.Data.Postgres;

/// <summary>PostgreSQL: native uuid, timestamptz, jsonb, row-level security. Carries the PostgreSQL migrations.</summary>
public sealed class PostgresTidingsDbContext : TidingsDbContext
{
    /// <summary>The one constructor, as the pool needs it: a context serves a unit of work once bound to it (<see cref="TidingsDbContext.Bind"/>).</summary>
    public PostgresTidingsDbContext(DbContextOptions<PostgresTidingsDbContext> options)
        : base(options)
    {
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        configurationBuilder.Properties<List<string>>().HaveColumnType("jsonb");
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        foreach (var entry in new[] { typeof(AuditLog), typeof(PlatformAuditLog) })
            foreach (var column in new[] { nameof(AuditLog.OldValues), nameof(AuditLog.NewValues), nameof(AuditLog.ChangedFields) })
                modelBuilder.Entity(entry).Property(column).HasColumnType("jsonb");
    }
}

/// <summary>Lets `dotnet ef migrations add --context PostgresTidingsDbContext` build the model; it connects nowhere.</summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresTidingsDbContext>
{
    public PostgresTidingsDbContext CreateDbContext(string[] args) =>
        new(DatabaseSetup.PostgresOptions("Host=localhost;Database=tidings_design").Options);
}
