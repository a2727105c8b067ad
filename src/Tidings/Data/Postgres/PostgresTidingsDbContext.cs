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
        modelBuilder.Entity<AuditLog>(b =>
        {
            b.Property(x => x.OldValues).HasColumnType("jsonb");
            b.Property(x => x.NewValues).HasColumnType("jsonb");
            b.Property(x => x.ChangedFields).HasColumnType("jsonb");
        });
        modelBuilder.Entity<PlatformAuditLog>(b =>
        {
            b.Property(x => x.OldValues).HasColumnType("jsonb");
            b.Property(x => x.NewValues).HasColumnType("jsonb");
            b.Property(x => x.ChangedFields).HasColumnType("jsonb");
        });
    }
}

/// <summary>Lets `dotnet ef migrations add --context PostgresTidingsDbContext` build the model; it connects nowhere.</summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresTidingsDbContext>
{
    public PostgresTidingsDbContext CreateDbContext(string[] args) =>
        new(DatabaseSetup.PostgresOptions("Host=localhost;Database=tidings_design").Options);
}
