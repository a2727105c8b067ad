using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;

namespace Tidings.Data.SoftDelete;

/// <summary>
/// What a purge takes with it: the rows the database deletes through ON DELETE CASCADE, found by following the
/// model's cascading foreign keys down from each purged row (a client: its events, their interactions, tag links
/// and notifications, its own tag links and notifications; a tag: its links; a user: their tokens, interactions
/// and notifications). Each table's rows are accounted for by PURGE audit entries that list their ids, up to
/// <see cref="IdsPerEntry"/> each, recorded against the purged row ("clients/{id}"). One query per table, not per
/// row, so a client with many events costs a few statements and a few entries; read in the caller's transaction
/// when there is one, as the purge trash route runs.
/// </summary>
internal static class PurgeCascade
{
    public const int IdsPerEntry = 1000;

    private static readonly MethodInfo RowsOfMethod = typeof(PurgeCascade).GetMethod(nameof(SetOf), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static async Task<List<AuditLog>> DescribeAsync(TidingsDbContext db, IReadOnlySet<object> purges, CurrentActor actor, DateTime now, CancellationToken ct)
    {
        var logs = new List<AuditLog>();
        foreach (var entry in db.ChangeTracker.Entries().Where(e => e.State == EntityState.Deleted && purges.Contains(e.Entity)).ToList())
        {
            var removed = new Dictionary<string, SortedSet<Guid>>();
            await WalkAsync(db, entry.Metadata, Root(db, entry), removed, [], ct);
            var root = $"{entry.Metadata.GetTableName()}/{entry.Property("Id").OriginalValue}";
            var businessId = entry.Entity is ITenantOwned owned ? owned.BusinessId : ((Businesses.Business)entry.Entity).Id;
            foreach (var (table, ids) in removed)
                foreach (var chunk in ids.Chunk(IdsPerEntry))
                    logs.Add(AuditTrail.Attribute(new AuditLog
                    {
                        ActorName = "",
                        TableName = table,
                        RecordId = root,
                        Action = AuditActions.Purge,
                        OldValues = JsonSerializer.Serialize(new { purged_with = root, ids = chunk }),
                    }, businessId, actor, now));
        }
        return logs;
    }

    private static async Task WalkAsync(TidingsDbContext db, IEntityType parent, IQueryable parents,
        Dictionary<string, SortedSet<Guid>> removed, HashSet<IEntityType> path, CancellationToken ct)
    {
        if (!path.Add(parent))
            return;
        foreach (var key in db.Model.GetEntityTypes().SelectMany(t => t.GetDeclaredForeignKeys())
                     .Where(k => k.PrincipalEntityType == parent && k.DeleteBehavior == DeleteBehavior.Cascade))
        {
            var rows = Dependents(db, key, parents);
            var table = key.DeclaringEntityType.GetTableName()!;
            var ids = await IdsOf(key.DeclaringEntityType, rows).ToListAsync(ct);
            if (ids.Count == 0)
                continue;
            if (!removed.TryGetValue(table, out var known))
                removed[table] = known = [];
            known.UnionWith(ids);
            await WalkAsync(db, key.DeclaringEntityType, rows, removed, path, ct);
        }
        path.Remove(parent);
    }

    /// <summary>The purged row itself, by its primary key as loaded.</summary>
    private static IQueryable Root(TidingsDbContext db, EntityEntry entry)
    {
        var rows = RowsOf(db, entry.Metadata.ClrType);
        var row = Expression.Parameter(entry.Metadata.ClrType, "row");
        var match = entry.Metadata.FindPrimaryKey()!.Properties
            .Select(p => Expression.Equal(Expression.Property(row, p.PropertyInfo!), Expression.Constant(entry.Property(p.Name).OriginalValue, p.ClrType)))
            .Aggregate(Expression.AndAlso);
        return Where(rows, Expression.Lambda(match, row));
    }

    /// <summary>Rows whose <paramref name="key"/> points at one of <paramref name="parents"/>.</summary>
    private static IQueryable Dependents(TidingsDbContext db, IForeignKey key, IQueryable parents)
    {
        var rows = RowsOf(db, key.DeclaringEntityType.ClrType);
        var row = Expression.Parameter(key.DeclaringEntityType.ClrType, "row");
        var parent = Expression.Parameter(key.PrincipalEntityType.ClrType, "parent");
        var match = key.Properties.Zip(key.PrincipalKey.Properties, (mine, theirs) =>
        {
            Expression own = Expression.Property(row, mine.PropertyInfo!);
            Expression other = Expression.Property(parent, theirs.PropertyInfo!);
            return Expression.Equal(own, own.Type == other.Type ? other : Expression.Convert(other, own.Type));
        }).Aggregate(Expression.AndAlso);
        var any = Expression.Call(typeof(Queryable), nameof(Queryable.Any), [parent.Type], parents.Expression, Expression.Lambda(match, parent));
        return Where(rows, Expression.Lambda(any, row));
    }

    private static IQueryable<Guid> IdsOf(IEntityType type, IQueryable rows)
    {
        var row = Expression.Parameter(type.ClrType, "row");
        var id = type.FindProperty("Id")?.PropertyInfo
            ?? throw new InvalidOperationException($"{type.GetTableName()} has no Id: a purge could not account for its rows.");
        return rows.Provider.CreateQuery<Guid>(Expression.Call(typeof(Queryable), nameof(Queryable.Select), [type.ClrType, typeof(Guid)],
            rows.Expression, Expression.Lambda(Expression.Property(row, id), row)));
    }

    private static IQueryable Where(IQueryable rows, LambdaExpression predicate) =>
        rows.Provider.CreateQuery(Expression.Call(typeof(Queryable), nameof(Queryable.Where), [rows.ElementType], rows.Expression, predicate));

    /// <summary>Every row of the type in the business, deleted ones included: the database cascades to those too.</summary>
    private static IQueryable RowsOf(TidingsDbContext db, Type type) =>
        (IQueryable)RowsOfMethod.MakeGenericMethod(type).Invoke(null, [db])!;

    private static IQueryable<T> SetOf<T>(TidingsDbContext db) where T : class =>
        db.Set<T>().IgnoreQueryFilters([SoftDeleteRules.Filter]).AsNoTracking();
}
