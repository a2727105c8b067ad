using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tidings.Clients;

public sealed class ClientConfiguration : IEntityTypeConfiguration<Client>
{
    public void Configure(EntityTypeBuilder<Client> b)
    {
        b.ToTable("clients", t =>
        {
            t.HasCheckConstraint("ck_clients_monitoring_frequency", "monitoring_frequency IN ('hourly', 'daily', 'weekly')");
            t.HasCheckConstraint("ck_clients_health_score_source", "health_score_source IS NULL OR health_score_source IN ('person', 'news')");
            t.HasCheckConstraint("ck_clients_health_score", "health_score IS NULL OR (health_score >= 0 AND health_score <= 100)");
        });
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Domain).HasMaxLength(200);
        b.Property(x => x.Industry).HasMaxLength(100);
        b.Property(x => x.CompanySize).HasMaxLength(50);
        b.Property(x => x.RevenueRange).HasMaxLength(50);
        b.Property(x => x.HeadquartersLocation).HasMaxLength(200);
        b.Property(x => x.MonitoringFrequency).HasMaxLength(20);
        b.Property(x => x.Tier).HasMaxLength(50);
        b.Property(x => x.HealthScoreSource).HasMaxLength(10);

        b.HasOne(x => x.AssignedToUser).WithMany()
            .HasForeignKey(x => new { x.BusinessId, x.AssignedToUserId })
            .OnDelete(DeleteBehavior.Restrict);

        b.HasIndex(x => new { x.BusinessId, x.IsActive }).HasDatabaseName("ix_clients_business_active");
        b.HasIndex(x => new { x.BusinessId, x.IsDeleted }).HasDatabaseName("ix_clients_business_deleted");
        b.HasIndex(x => new { x.BusinessId, x.Name }).HasDatabaseName("ix_clients_business_name");
        b.HasIndex(x => new { x.BusinessId, x.Domain }).HasDatabaseName("ix_clients_business_domain");
        b.HasIndex(x => new { x.BusinessId, x.AssignedToUserId }).HasDatabaseName("ix_clients_business_assigned_to");
    }
}
