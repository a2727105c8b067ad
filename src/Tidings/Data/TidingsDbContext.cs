using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Tidings.Businesses;
using Tidings.Clients;
using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Data.Tenancy;
using Tidings.Events;
using Tidings.Interactions;
using Tidings.Legacy;
using Tidings.Notifications;
using Tidings.Categories;
using Tidings.Classification;
using Tidings.Tags;
using Tidings.Users;

namespace Tidings.Data;

/// <summary>
/// The one DbContext. Features use it directly; the cross-cutting rules are wired here and live in
/// Data/Tenancy, Data/SoftDelete and Data/Auditing, so no feature has to remember them:
/// reads are filtered by business and by soft delete, and every save is stamped, checked for tenancy,
/// turned into soft deletes and audited in the same transaction.
/// One subclass per provider carries that provider's migrations.
/// </summary>
public abstract class TidingsDbContext : DbContext
{
    private CurrentTenant? _tenant;
    private CurrentActor? _actor;
    private TimeProvider? _clock;
    private readonly HashSet<object> _purges = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// A context the pool keeps (DatabaseSetup): it serves no unit of work until <see cref="Bind"/> gives it one. The
    /// settings below are the pool's snapshot, restored on every return.
    /// </summary>
    protected TidingsDbContext(DbContextOptions options)
        : base(options)
    {
        // Every save runs in a transaction: PostgreSQL gets its tenant setting there, and the audit rows
        // commit or roll back with the change they describe.
        Database.AutoTransactionBehavior = AutoTransactionBehavior.Always;
        // A removed client must not drag its loaded events into individual soft deletes:
        // the client's own flag hides them, and restoring it brings back exactly those.
        ChangeTracker.CascadeDeleteTiming = CascadeTiming.Never;
        ChangeTracker.DeleteOrphansTiming = CascadeTiming.Never;
    }

    /// <summary>
    /// Gives a context its unit of work's business, actor and clock: once per lease from the pool, before any use.
    /// Until then, and again once it is returned, it has none, and reading or saving through it fails closed.
    /// </summary>
    public TidingsDbContext Bind(CurrentTenant tenant, CurrentActor actor, TimeProvider clock)
    {
        if (_tenant is not null)
            throw new InvalidOperationException("This context already serves a unit of work.");
        _tenant = tenant;
        _actor = actor;
        _clock = clock;
        return this;
    }

    // Returning a pooled context to the pool goes through here: what it served leaves with it.
    public override void Dispose()
    {
        Unbind();
        base.Dispose();
    }

    public override ValueTask DisposeAsync()
    {
        Unbind();
        return base.DisposeAsync();
    }

    private void Unbind()
    {
        _tenant = null;
        _actor = null;
        _clock = null;
        _purges.Clear();
        IsSaving = false;
        DirectWritesReason = null;
    }

    public CurrentTenant Tenant => _tenant ?? throw Unbound();
    public CurrentActor Actor => _actor ?? throw Unbound();
    /// <summary>The unit of work's clock: what stamps its saves, for work that must agree with them (the health signal's "now").</summary>
    public TimeProvider Clock => _clock ?? throw Unbound();

    private static InvalidOperationException Unbound() => new("This context serves no unit of work: a pooled context is used only between Bind and Dispose.");

    public DbSet<Business> Businesses => Set<Business>();
    public DbSet<User> Users => Set<User>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<Client> Clients => Set<Client>();
    public DbSet<Event> Events => Set<Event>();
    public DbSet<EventUserInteraction> EventUserInteractions => Set<EventUserInteraction>();
    public DbSet<Tag> Tags => Set<Tag>();
    public DbSet<Category> Categories => Set<Category>();
    public DbSet<ClassificationExample> ClassificationExamples => Set<ClassificationExample>();
    public DbSet<Monitoring.Source> Sources => Set<Monitoring.Source>();
    public DbSet<Delivery.Webhooks.Webhook> Webhooks => Set<Delivery.Webhooks.Webhook>();
    public DbSet<ClientTag> ClientTags => Set<ClientTag>();
    public DbSet<EventTag> EventTags => Set<EventTag>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<NotificationPreference> NotificationPreferences => Set<NotificationPreference>();
    public DbSet<Delivery.Outbox.OutboxMessage> OutboxMessages => Set<Delivery.Outbox.OutboxMessage>();
    public DbSet<Delivery.Webhooks.WebhookDelivery> WebhookDeliveries => Set<Delivery.Webhooks.WebhookDelivery>();
    public DbSet<AuditLog> AuditLogs => Set<AuditLog>();
    public DbSet<PlatformAuditLog> PlatformAuditLogs => Set<PlatformAuditLog>();
    public DbSet<LegacyIdMapping> LegacyIdMap => Set<LegacyIdMapping>();
    public DbSet<LegacyValue> LegacyValues => Set<LegacyValue>();

    internal bool IsSaving { get; private set; }
    internal string? DirectWritesReason { get; private set; }

    /// <summary>
    /// Lets this context run SQL writes outside SaveChanges (bulk imports, set-based updates) until
    /// disposed. Tenancy still holds (filters and row-level security); the audit of that work is the
    /// caller's: one summary entry per table and batch, added through SaveChanges.
    /// </summary>
    public IDisposable AllowDirectWrites(string reason)
    {
        DirectWritesReason = reason;
        return new Reset(() => DirectWritesReason = null);
    }

    private sealed class Reset(Action reset) : IDisposable
    {
        public void Dispose() => reset();
    }

    /// <summary>Read by the tenant query filter for every query; throws when there is no business.</summary>
    internal Guid CurrentBusinessId => Tenant.RequireBusinessId();

    /// <summary>Read by the platform audit's query filter: its entries show inside a platform scope only.</summary>
    internal bool InPlatformScope => Tenant.PlatformScope is not null;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(TidingsDbContext).Assembly);
        TenancyRules.Configure(modelBuilder, this);
        SoftDeleteRules.Configure(modelBuilder);
        // updated_at is the row version: a save whose row changed since it was read fails instead of
        // silently overwriting someone else's edit (the API answers 412 to a stale If-Match).
        foreach (var type in modelBuilder.Model.GetEntityTypes().Where(t => typeof(ITimestamped).IsAssignableFrom(t.ClrType)))
            modelBuilder.Entity(type.ClrType).Property(nameof(ITimestamped.UpdatedAt)).IsConcurrencyToken();
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<List<string>>()
            .HaveConversion<JsonStringListConverter, JsonStringListComparer>();
    }

    /// <summary>
    /// Hard-deletes a soft-deletable row on the next save, audited as PURGE, together with what the database
    /// cascades to, each row of it accounted for in the audit trail (PurgeCascade). Save it inside a transaction
    /// for that account to be read in the same one.
    /// </summary>
    public void Purge(object entity)
    {
        _purges.Add(entity);
        Remove(entity);
    }

    /// <summary>Brings a soft-deleted row back on the next save, audited as RESTORE.</summary>
    public void Restore(ISoftDeletable entity)
    {
        entity.IsDeleted = false;
        entity.DeletedAt = null;
        entity.DeletedByUserId = null;
    }

    /// <summary>
    /// Opens the one way across businesses, for businesses, users and the audit trail only
    /// (TenancyRules.ReachesPlatformScope): reads may use <see cref="AcrossBusinesses{T}"/> and writes of
    /// those may target any business until the scope is disposed. Entering it is itself audited.
    /// </summary>
    public async Task<IDisposable> BeginPlatformScopeAsync(string name, CancellationToken ct = default)
    {
        // The database learns of the scope when a transaction starts, so it must open outside one.
        if (Database.CurrentTransaction is not null)
            throw new InvalidOperationException("Open the platform scope before starting a transaction.");
        var scope = Tenant.EnterPlatformScope(name);
        try
        {
            if (Tenant.BusinessId is { } businessId)
                AuditLogs.Add(AuditTrail.PlatformScopeEntry(name, businessId, Actor, StoredTime.Now(Clock)));
            else
                PlatformAuditLogs.Add(AuditTrail.PlatformScopeEntry(name, Actor, StoredTime.Now(Clock)));
            await SaveChangesAsync(ct);
            return scope;
        }
        catch
        {
            scope.Dispose();
            throw;
        }
    }

    /// <summary>All businesses' rows of businesses, users or audit entries (soft delete still applies); platform scope only.</summary>
    public IQueryable<T> AcrossBusinesses<T>() where T : class
    {
        if (Tenant.PlatformScope is null)
            throw new TenancyViolationException("Reading across businesses needs an open platform scope.");
        if (!TenancyRules.ReachesPlatformScope(typeof(T)))
            throw new TenancyViolationException($"The platform scope reaches businesses, users and the audit trail, not {typeof(T).Name}.");
        return Set<T>().IgnoreQueryFilters([TenancyRules.Filter]);
    }

    /// <summary>
    /// SaveChangesAsync for a change that only adds rows, many of them (a batch of events and their
    /// notifications): the same rules run over the same change tracker (tenancy, stamping, one audit row per
    /// row), then the rows and their audit rows are written by COPY on PostgreSQL (one prepared INSERT re-bound
    /// per row on SQLite) instead of one INSERT per row, in one transaction: all of them or none. An INSERT per
    /// row costs more than the row itself; see docs/performance.md, "Writing events".
    /// </summary>
    public async Task<int> SaveInsertsInBulkAsync(CancellationToken cancellationToken = default)
    {
        var now = StoredTime.Now(Clock);
        ChangeTracker.DetectChanges();
        var entries = ChangeTracker.Entries().Where(e => e.State != EntityState.Unchanged).ToList();
        if (_purges.Count > 0 || entries.Any(e => e.State != EntityState.Added))
            throw new InvalidOperationException("SaveInsertsInBulkAsync writes new rows only: save updates and deletes with SaveChangesAsync.");
        var autoDetect = ChangeTracker.AutoDetectChangesEnabled;
        // EF's SaveChanges is not called, nor its interceptors: the caches they keep informed are told here.
        var signals = this.GetService<IDbContextOptions>().Extensions.OfType<CoreOptionsExtension>().SelectMany(o => o.Interceptors ?? [])
            .OfType<ISaveSignal>().ToList();
        var told = false;
        try
        {
            var trail = await ApplySaveRulesAsync(now, cancellationToken);
            // The rules may add rows of their own (outbox messages).
            entries = ChangeTracker.Entries().Where(e => e.State != EntityState.Unchanged).ToList();
            signals.ForEach(s => s.Saving(this));
            told = true;
            ChangeTracker.AutoDetectChangesEnabled = false;
            IsSaving = true;
            var tables = entries.GroupBy(e => e.Metadata.ClrType, e => e.Entity)
                .OrderBy(g => PrincipalDepth(Model.FindEntityType(g.Key)!, []))
                .Select(g => (Type: g.Key, Rows: (IReadOnlyCollection<object>)g.ToList()))
                .Append((Type: typeof(AuditLog), Rows: trail))
                .ToList();
            try
            {
                if (Database.CurrentTransaction is not null)
                    // The caller's transaction is the unit, and the caller's execution strategy retries it.
                    await WriteRowsAsync(tables, cancellationToken);
                else
                    // A transient fault runs the whole batch again in a new transaction; a failed attempt committed nothing.
                    await Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
                    {
                        await using var own = await Database.BeginTransactionAsync(ct);
                        await WriteRowsAsync(tables, ct);
                        await own.CommitAsync(ct);
                    }, cancellationToken);
            }
            catch (DbException e)
            {
                // As SaveChanges reports a refused write, so callers (and the API's problem answers) treat both alike.
                throw new DbUpdateException("The database refused the rows written in bulk: " + e.Message, e);
            }
            ChangeTracker.AcceptAllChanges();
            signals.ForEach(s => s.Saved(this));
            if (_queuesMessages)
                Delivery.Outbox.OutboxSignal.Pulse();
            return entries.Count + trail.Count;
        }
        catch
        {
            if (told)
                signals.ForEach(s => s.Failed(this));
            throw;
        }
        finally
        {
            IsSaving = false;
            ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }
    }

    private async Task WriteRowsAsync(List<(Type Type, IReadOnlyCollection<object> Rows)> tables, CancellationToken ct)
    {
        if (Database.IsSqlite())
            // Rows of one table may point at each other (a duplicate at its original in the same batch).
            await Database.ExecuteSqlRawAsync("PRAGMA defer_foreign_keys = ON", ct);
        await BulkInsert.WriteRowsAsync(this, tables, ct);
    }

    /// <summary>
    /// The rules every save runs over the change tracker before anything is written (SaveChangesAsync and
    /// SaveInsertsInBulkAsync alike): tenancy, soft delete, stamps, storable text. Answers the audit rows describing exactly
    /// what is about to be written.
    /// </summary>
    private bool _queuesMessages;

    private async Task<List<AuditLog>> ApplySaveRulesAsync(DateTime now, CancellationToken ct)
    {
        TenancyRules.BeforeSave(ChangeTracker, Tenant);
        await ChangeTrackerOriginals.LoadWhereUnknownAsync(ChangeTracker, ct);
        TenancyRules.BeforeSave(ChangeTracker, Tenant); // again, now against the database's originals
        SoftDeleteRules.BeforeSave(ChangeTracker, _purges, Actor, now);
        Stamping.BeforeSave(ChangeTracker, Actor, now);
        ChangeTracker.DetectChanges();
        _queuesMessages = await Delivery.Outbox.OutboxRules.BeforeSaveAsync(this, now, ct);
        StorableText.BeforeSave(ChangeTracker);
        return AuditTrail.Describe(ChangeTracker, _purges, Actor, now);
    }

    /// <summary>How many tables this one's foreign keys lead up through: principals are written before their dependents.</summary>
    private static int PrincipalDepth(IEntityType type, HashSet<IEntityType> visiting)
    {
        if (!visiting.Add(type))
            return 0;
        var depth = type.GetForeignKeys().Select(k => k.PrincipalEntityType).Where(p => p != type)
            .Select(p => 1 + PrincipalDepth(p, visiting)).DefaultIfEmpty(0).Max();
        visiting.Remove(type);
        return depth;
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        throw new NotSupportedException("Use SaveChangesAsync: saving checks rows against the database before writing.");

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var now = StoredTime.Now(Clock);
        var autoDetect = ChangeTracker.AutoDetectChangesEnabled;
        ChangeTracker.DetectChanges();
        List<AuditLog> trail = [];
        try
        {
            trail = await ApplySaveRulesAsync(now, cancellationToken);
            if (_purges.Count > 0)
                trail.AddRange(await PurgeCascade.DescribeAsync(this, _purges, Actor, now, cancellationToken));
            AuditLogs.AddRange(trail);
            // The audit describes exactly what is about to be written: nothing may change after it.
            ChangeTracker.AutoDetectChangesEnabled = false;
            IsSaving = true;
            var written = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            if (_queuesMessages)
                Delivery.Outbox.OutboxSignal.Pulse();
            return written;
        }
        catch
        {
            foreach (var log in trail)
                Entry(log).State = EntityState.Detached;
            throw;
        }
        finally
        {
            IsSaving = false;
            ChangeTracker.AutoDetectChangesEnabled = autoDetect;
            _purges.Clear();
        }
    }
}
