using Microsoft.EntityFrameworkCore;
using Tidings.Categories;
using Tidings.Clients;
using Tidings.Data;
using Tidings.Tags;

namespace Tidings.Pages;

/// <summary>
/// What the feed's filter form offers, as (value, name): the business's clients, top-level categories and tags; and every
/// live category's name by its key, for the articles and the chart.
/// </summary>
public sealed record FeedChoiceLists(
    IReadOnlyList<(string Value, string Name)> Clients,
    IReadOnlyList<(string Value, string Name)> Categories,
    IReadOnlyList<(string Value, string Name)> Tags,
    CategoryNames CategoryNames);

/// <summary>
/// A business's live categories' names by key, as pages write an event's category. A key it does not know (a retired
/// category's, kept on its events) is written as it is.
/// </summary>
public sealed class CategoryNames(IReadOnlyDictionary<string, string> byKey)
{
    public static readonly CategoryNames None = new(new Dictionary<string, string>());

    public string Of(string key) => byKey.TryGetValue(key, out var name) ? name : key;
}

/// <summary>
/// The feed filter form's lists, kept per business for <see cref="Lifetime"/>: the feed is the page people reload all day,
/// and reading its three lists each time was a large share of its time beyond the API's (docs/web.md has the figures).
/// Kept under the business the reading context acts for (its tenant filter chose the rows), never under one a request
/// names. A save through this process that adds, changes or removes a client, category or tag forgets its business's
/// lists, so its own people see the change at once; another Tidings process on the same database shows it when its own
/// lists lapse.
/// </summary>
public sealed class FeedChoices(TimeProvider clock) : IDisposable
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    /// <summary>The most clients or tags a list offers; a business with more filters by the client's or tag's own page.</summary>
    public const int MaxListed = 500;

    private static readonly Versions<Guid> BusinessVersions = new();

    private readonly KeptAnswers<Guid, FeedChoiceLists> _kept = new(BusinessVersions, Lifetime, maxEntries: 10_000, clock);

    public Task<FeedChoiceLists> ReadAsync(TidingsDbContext db, CancellationToken ct) =>
        _kept.GetAsync(db.Tenant.RequireBusinessId(), () => LoadAsync(db, ct));

    private static async Task<FeedChoiceLists> LoadAsync(TidingsDbContext db, CancellationToken ct)
    {
        var clients = await db.Clients.AsNoTracking().OrderBy(c => c.Name).Take(MaxListed).Select(c => new { c.Id, c.Name }).ToListAsync(ct);
        var categories = await db.Categories.AsNoTracking().OrderBy(c => c.Name).Select(c => new { c.Key, c.Name, c.ParentId }).ToListAsync(ct);
        var tags = await db.Tags.AsNoTracking().OrderBy(t => t.Name).Take(MaxListed).Select(t => new { t.Id, t.Name }).ToListAsync(ct);
        return new(
            clients.Select(c => (c.Id.ToString(), c.Name)).ToList(),
            categories.Where(c => c.ParentId == null).Select(c => (c.Key, c.Name)).ToList(),
            tags.Select(t => (t.Id.ToString(), t.Name)).ToList(),
            // Live keys are unique in a business.
            new CategoryNames(categories.ToDictionary(c => c.Key, c => c.Name, StringComparer.Ordinal)));
    }

    public void Dispose() => _kept.Dispose();

    /// <summary>The businesses whose clients, categories or tags a save adds, changes or removes.</summary>
    public sealed class Invalidation : SaveSignal<Guid>
    {
        public static readonly Invalidation Instance = new();

        protected override void Collect(DbContext context, HashSet<Guid> changed)
        {
            foreach (var entry in context.ChangeTracker.Entries())
            {
                if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
                    continue;
                switch (entry.Entity)
                {
                    case Client client:
                        changed.Add(client.BusinessId);
                        break;
                    case Category category:
                        changed.Add(category.BusinessId);
                        break;
                    case Tag tag:
                        changed.Add(tag.BusinessId);
                        break;
                }
            }
            // A row added without its business yet is stamped with the context's when it is saved.
            if (changed.Remove(Guid.Empty) && (context as TidingsDbContext)?.Tenant.BusinessId is { } own)
                changed.Add(own);
        }

        protected override void Signal(IReadOnlyCollection<Guid> changed) => BusinessVersions.MoveOn(changed);
    }
}
