using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Tidings.Businesses;
using Tidings.Data.Auditing;

namespace Tidings.Data.Tenancy;

/// <summary>
/// Tenancy fails closed. Every tenant-owned entity gets a key that starts with business_id (so every
/// UPDATE and DELETE carries it in its WHERE) and the named "Tenant" query filter; every save stamps
/// business_id on inserts and refuses any row of another business, whatever the caller attached.
/// </summary>
public static class TenancyRules
{
    public const string Filter = "Tenant";

    internal static void Configure(ModelBuilder modelBuilder, TidingsDbContext db)
    {
        var currentBusiness = Expression.Property(Expression.Constant(db), nameof(TidingsDbContext.CurrentBusinessId));
        foreach (var entityType in modelBuilder.Model.GetEntityTypes().ToList())
        {
            var clr = entityType.ClrType;
            var row = Expression.Parameter(clr, "row");
            Expression? businessColumn =
                typeof(ITenantOwned).IsAssignableFrom(clr) ? Expression.Property(row, nameof(ITenantOwned.BusinessId)) :
                clr == typeof(Business) ? Expression.Property(row, nameof(Business.Id)) :
                clr == typeof(AuditLog) ? Expression.Property(row, nameof(AuditLog.BusinessId)) :
                null;
            if (clr == typeof(PlatformAuditLog))
                modelBuilder.Entity(clr).HasQueryFilter(Filter, Expression.Lambda(Expression.Property(Expression.Constant(db), nameof(TidingsDbContext.InPlatformScope)), row));
            if (businessColumn is null)
                continue;

            if (typeof(ITenantOwned).IsAssignableFrom(clr))
            {
                modelBuilder.Entity(clr).HasKey(nameof(ITenantOwned.BusinessId), "Id");
                modelBuilder.Entity(clr).HasOne(typeof(Business)).WithMany()
                    .HasForeignKey(nameof(ITenantOwned.BusinessId)).OnDelete(DeleteBehavior.Cascade);
                ReferenceUsersWithinBusiness(modelBuilder, clr);
            }

            var comparand = businessColumn.Type == typeof(Guid?) ? Expression.Convert(currentBusiness, typeof(Guid?)) : (Expression)currentBusiness;
            modelBuilder.Entity(clr).HasQueryFilter(Filter, Expression.Lambda(Expression.Equal(businessColumn, comparand), row));
        }
    }

    /// <summary>created_by / deleted_by point at a user of the same business: (business_id, x_user_id) -> users.</summary>
    private static void ReferenceUsersWithinBusiness(ModelBuilder modelBuilder, Type clr)
    {
        foreach (var column in new[] { nameof(ICreatedBy.CreatedByUserId), nameof(SoftDelete.ISoftDeletable.DeletedByUserId) })
        {
            if (clr.GetProperty(column) is null)
                continue;
            modelBuilder.Entity(clr).HasOne(typeof(Users.User)).WithMany()
                .HasForeignKey(nameof(ITenantOwned.BusinessId), column).OnDelete(DeleteBehavior.Restrict);
        }
    }

    internal static void BeforeSave(ChangeTracker changes, CurrentTenant tenant)
    {
        foreach (var entry in changes.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
                continue;
            switch (entry.Entity)
            {
                case ITenantOwned owned:
                    Check(entry, tenant, owned.BusinessId, nameof(ITenantOwned.BusinessId), stamp: () => owned.BusinessId = tenant.RequireBusinessId());
                    break;
                case Business business:
                    Check(entry, tenant, business.Id, nameof(Business.Id), stamp: null);
                    break;
                case AuditLog or PlatformAuditLog when entry.State != EntityState.Added:
                    throw new TenancyViolationException($"{entry.Metadata.GetTableName()} is append-only.");
                case AuditLog log when tenant.PlatformScope is null:
                    // A feature's own summary entry (a bulk import, say) lands in the current business only.
                    if (log.BusinessId == Guid.Empty)
                        log.BusinessId = tenant.RequireBusinessId();
                    if (log.BusinessId != tenant.BusinessId)
                        throw new TenancyViolationException("AuditLog: the entry belongs to another business.");
                    break;
                case AuditLog { BusinessId: var businessId } when businessId == Guid.Empty:
                    throw new TenancyViolationException("AuditLog: a platform-scope entry must name its business, or be a PlatformAuditLog.");
                case PlatformAuditLog when tenant.PlatformScope is null:
                    throw new TenancyViolationException("platform_audit_logs is written inside a platform scope only.");
            }
        }
    }

    /// <summary>
    /// What the platform scope may read and write across businesses, the same tables PostgreSQL's
    /// platform_scope policy covers (DatabaseGuards.PlatformScopeTables): sign-up and login need emails and
    /// slugs of every business, and the scope's own audit entries; business data never crosses.
    /// </summary>
    private static readonly HashSet<Type> PlatformScopeTypes = [typeof(Business), typeof(Users.User), typeof(AuditLog), typeof(PlatformAuditLog)];

    public static bool ReachesPlatformScope(Type type) => PlatformScopeTypes.Contains(type);

    private static void Check(EntityEntry entry, CurrentTenant tenant, Guid businessId, string column, Action? stamp)
    {
        var original = (Guid)entry.Property(column).OriginalValue!;
        if (entry.State != EntityState.Added && original != businessId)
            throw new TenancyViolationException($"{entry.Metadata.ClrType.Name}: a row never moves to another business.");

        if (tenant.PlatformScope is not null && ReachesPlatformScope(entry.Metadata.ClrType))
        {
            if (businessId == Guid.Empty)
                throw new TenancyViolationException($"{entry.Metadata.ClrType.Name}: a platform-scope insert must name its business.");
            return;
        }

        var current = tenant.RequireBusinessId();
        if (entry.State == EntityState.Added && businessId == Guid.Empty && stamp is not null)
        {
            stamp();
            return;
        }
        if (businessId != current)
            throw new TenancyViolationException($"{entry.Metadata.ClrType.Name}: the row belongs to another business.");
    }
}
