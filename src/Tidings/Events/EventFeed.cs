using System.Linq.Expressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Tidings.Classification;
using Tidings.Data;
using Tidings.Data.Tenancy;
using Tidings.Data.SoftDelete;
using Tidings.Interactions;
using Tidings.Tags;
using Tidings.Web;

namespace Tidings.Events;

/// <summary>
/// The feed's filters: ?query parameters of GET /api/events (named camelCase like the JSON, for the
/// OpenAPI document), or the "filter" object of POST /api/events/mark-read.
/// </summary>
public sealed record FeedFilter(
    [FromQuery(Name = "clientId")] Guid? ClientId = null,
    [FromQuery(Name = "category")] string? Category = null,
    [FromQuery(Name = "subcategory")] string? Subcategory = null,
    [FromQuery(Name = "tag")] Guid? Tag = null,
    [FromQuery(Name = "from")] DateTimeOffset? From = null,
    [FromQuery(Name = "to")] DateTimeOffset? To = null,
    [FromQuery(Name = "minRelevance")] double? MinRelevance = null,
    [FromQuery(Name = "text")] string? Text = null,
    [FromQuery(Name = "unread")] bool? Unread = null,
    [FromQuery(Name = "starred")] bool? Starred = null,
    [FromQuery(Name = "includeDuplicates")] bool? IncludeDuplicates = null,
    [FromQuery(Name = "needsReview")] bool? NeedsReview = null)
{
    public const int MaxTextLength = 200;

    public void Validate(FieldErrors errors, string prefix = "")
    {
        errors.MaxLength(prefix + "category", Category, 50)
            .MaxLength(prefix + "subcategory", Subcategory, 50)
            .MaxLength(prefix + "text", Text, MaxTextLength)
            .Range(prefix + "minRelevance", MinRelevance, 0, 1);
        if (From > To)
            errors.Add(prefix + "from", "Must not be after 'to'.");
    }
}

/// <summary>The feed's sort key: newest first by event date, ties broken by id.</summary>
public sealed record FeedCursor(DateTime EventDate, Guid Id);

public sealed record EventTagItem(Guid Id, string Name, string? Color);

/// <summary>Another outlet that told the same story: a live copy's source and its link.</summary>
public sealed record ReportedBy(string? Source, string? Url);

/// <summary>An event as the caller sees it: the event, its client's name, its tags and the caller's own read/star/notes.</summary>
/// <param name="ClassifiedBy">Who chose the category: the classifier's version, "person", or null when it came with the event.</param>
/// <param name="NeedsReview">The classifier chose the category less sure than the business's reviewConfidenceThreshold.</param>
/// <param name="SourceId">The watched source the monitor found the event in; keptBecause says why it kept it.</param>
/// <param name="AlsoReportedBy">On a story's original in the feed: the other sources of its live copies, one entry a source, oldest first.</param>
public sealed record EventDto(
    Guid Id, Guid ClientId, string ClientName, string Title, string? Description, string? Url, string? Source, string? SourceType,
    Guid? SourceId, string? KeptBecause, string Category, string? Subcategory, IReadOnlyList<string> Tags, IReadOnlyList<EventTagItem> EventTags,
    double RelevanceScore, double? SentimentScore, double? ConfidenceScore,
    string? ClassifiedBy, string? ClassificationEvidence, bool NeedsReview, DateTime EventDate, DateTime DiscoveredAt,
    string? ContentHash, Guid? DuplicateOfEventId, bool IsDuplicate, Guid? CreatedByUserId, DateTime CreatedAt, DateTime UpdatedAt,
    bool IsDeleted, DateTime? DeletedAt,
    bool IsRead, DateTime? ReadAt, bool IsStarred, DateTime? StarredAt, string? Notes, IReadOnlyList<ReportedBy> AlsoReportedBy)
{
    /// <param name="reviewThreshold">The business's; null only when the event cannot need review (the classifier did not label it).</param>
    public static EventDto From(Event e, string clientName, EventUserInteraction? mine, IReadOnlyList<EventTagItem> eventTags, double? reviewThreshold) => new(
        e.Id, e.ClientId, clientName, e.Title, e.Description, e.Url, e.Source, e.SourceType, e.SourceId, e.KeptBecause,
        e.Category, e.Subcategory, e.Tags ?? [], eventTags,
        e.RelevanceScore, e.SentimentScore, e.ConfidenceScore,
        e.ClassifiedBy, e.ClassificationEvidence, reviewThreshold is { } threshold && EventLabels.NeedsReview(e.ClassifiedBy, e.ConfidenceScore, threshold),
        e.EventDate, e.DiscoveredAt,
        e.ContentHash, e.DuplicateOfEventId, e.DuplicateOfEventId is not null, e.CreatedByUserId, e.CreatedAt, e.UpdatedAt,
        e.IsDeleted, e.DeletedAt,
        mine?.IsRead ?? false, mine?.ReadAt, mine?.IsStarred ?? false, mine?.StarredAt, mine?.UserNotes, []);
}

/// <summary>An event joined with the caller's own interaction row (null when they never touched it).</summary>
public sealed class EventForUser
{
    public required Event Event { get; init; }
    public EventUserInteraction? Mine { get; init; }
}

/// <summary>
/// The feed as one SQL statement: live events of the business, left-joined to the caller's own
/// interaction row only, newest first by (event_date desc, id desc) so the ix_events_business_* indexes
/// answer both the filter and the order, with a keyset cursor on that pair.
/// </summary>
public static class EventFeed
{
    /// <summary>Events matching the filter (duplicates only when asked), each with the caller's interaction.</summary>
    /// <param name="reviewThreshold">The business's (<see cref="ReviewThresholdAsync"/>): needed when the filter asks for needsReview.</param>
    public static IQueryable<EventForUser> Matching(TidingsDbContext db, Guid userId, FeedFilter filter, double? reviewThreshold = null)
    {
        var events = Live(db);
        if (filter.IncludeDuplicates != true)
            events = events.Where(IsOriginal);
        if (filter.ClientId is { } clientId)
            events = events.Where(e => e.ClientId == clientId);
        if (!string.IsNullOrEmpty(filter.Category))
            events = events.Where(e => e.Category == filter.Category);
        if (!string.IsNullOrEmpty(filter.Subcategory))
            events = events.Where(e => e.Subcategory == filter.Subcategory);
        if (filter.Tag is { } tagId)
        {
            var liveLink = Rule<EventTag>(db);
            events = events.Where(e => e.EventTags.AsQueryable().Where(liveLink).Any(t => t.TagId == tagId));
        }
        if (filter.From is { } from)
        {
            var since = from.UtcDateTime;
            events = events.Where(e => e.EventDate >= since);
        }
        if (filter.To is { } to)
        {
            var until = to.UtcDateTime;
            events = events.Where(e => e.EventDate <= until);
        }
        if (filter.MinRelevance is { } minRelevance)
            events = events.Where(e => e.RelevanceScore >= minRelevance);
        if (filter.NeedsReview == true)
        {
            var threshold = reviewThreshold ?? throw new ArgumentNullException(nameof(reviewThreshold), "needsReview compares with the business's threshold.");
            // EventLabels.NeedsReview, in SQL.
            events = events.Where(e => e.ClassifiedBy != null && e.ClassifiedBy != ClassifiedBy.Person && e.ConfidenceScore < threshold);
        }
        if (!string.IsNullOrWhiteSpace(filter.Text))
        {
            // lower() on both sides: case-insensitive the same way on SQLite and PostgreSQL.
            var text = filter.Text.Trim().ToLowerInvariant();
            events = events.Where(e => e.Title.ToLower().Contains(text) || (e.Description != null && e.Description.ToLower().Contains(text)));
        }
        // (Not) exists on the unique index rather than a condition on the left-joined row: PostgreSQL
        // cannot estimate "no row or not read" and would sort every event instead of walking the index.
        if (filter.Unread == true)
            events = events.Where(e => !db.EventUserInteractions.Any(i => i.EventId == e.Id && i.UserId == userId && i.IsRead));
        if (filter.Starred == true)
            events = events.Where(e => db.EventUserInteractions.Any(i => i.EventId == e.Id && i.UserId == userId && i.IsStarred));
        return WithMine(db, userId, events);
    }

    /// <summary>
    /// Live events of the business. The interactions' own soft-delete filter would join events and
    /// clients again behind every probe of the caller's row, although the events probing are live
    /// already; EF switches a named filter off for a whole statement, never for one table. So the feed's
    /// statement leaves the SoftDelete filter off and applies the model's own conditions where they
    /// belong (events here, tag links in the tag filter and projection): it returns exactly the rows the
    /// filter would. The tenant filter stays on throughout.
    /// </summary>
    public static IQueryable<Event> Live(TidingsDbContext db) => LiveTracked(db).AsNoTracking();

    /// <summary><see cref="Live"/>, with the rows it returns (and the rows joined to them) tracked, for a change.</summary>
    public static IQueryable<Event> LiveTracked(TidingsDbContext db) =>
        db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).Where(Rule<Event>(db));

    /// <summary>The SoftDelete condition the model declares for <typeparamref name="T"/> (SoftDeleteRules), not a copy of it.</summary>
    private static Expression<Func<T, bool>> Rule<T>(TidingsDbContext db) =>
        (Expression<Func<T, bool>>)db.Model.FindEntityType(typeof(T))!.FindDeclaredQueryFilter(SoftDeleteRules.Filter)!.Expression!;

    /// <summary>Left join on the unique (business_id, event_id, user_id) index: at most one row per event.</summary>
    public static IQueryable<EventForUser> WithMine(TidingsDbContext db, Guid userId, IQueryable<Event> events) =>
        events.LeftJoin(
            db.EventUserInteractions.AsNoTracking().Where(i => i.UserId == userId),
            e => e.Id, i => i.EventId,
            (e, i) => new EventForUser { Event = e, Mine = i });

    /// <summary>Rows strictly after the cursor in feed order; the redundant "date &lt;=" bounds the index range scan.</summary>
    public static IQueryable<EventForUser> After(this IQueryable<EventForUser> rows, FeedCursor? cursor) =>
        cursor is null ? rows : rows.Where(x => x.Event.EventDate <= cursor.EventDate
            && (x.Event.EventDate < cursor.EventDate || x.Event.Id.CompareTo(cursor.Id) < 0));

    public static IOrderedQueryable<EventForUser> NewestFirst(this IQueryable<EventForUser> rows) =>
        rows.OrderByDescending(ByDate).ThenByDescending(ById);

    // The lambdas that capture nothing are built once. Written inline, each call builds its expression tree anew,
    // and every property access in it looks the property up by its getter (an array of all the type's properties):
    // for the projection below, more of a feed page's allocations than its rows.
    private static readonly Expression<Func<Event, bool>> IsOriginal = e => e.DuplicateOfEventId == null;
    private static readonly Expression<Func<EventForUser, DateTime>> ByDate = x => x.Event.EventDate;
    private static readonly Expression<Func<EventForUser, Guid>> ById = x => x.Event.Id;
    private static readonly Expression<Func<EventTag, string>> ByTagName = t => t.Tag!.Name;
    private static readonly Expression<Func<EventTag, PageTag>> AsPageTag = t => new PageTag(t.EventId, new EventTagItem(t.Tag!.Id, t.Tag.Name, t.Tag.Color));

    private sealed record PageTag(Guid EventId, EventTagItem Item);

    private static readonly IReadOnlyList<EventTagItem> NoTagItems = [];
    private static readonly IReadOnlyList<ReportedBy> NoOneElse = [];
    private static readonly List<string> NoTags = [];

    /// <summary>What the caller receives, straight from the columns: materialising the entities first cost a new id and two lists for each.</summary>
    private static readonly Expression<Func<EventForUser, EventDto>> AsDto = x => new EventDto(
        x.Event.Id, x.Event.ClientId, x.Event.Client!.Name, x.Event.Title, x.Event.Description, x.Event.Url,
        x.Event.Source, x.Event.SourceType, x.Event.SourceId, x.Event.KeptBecause, x.Event.Category, x.Event.Subcategory, x.Event.Tags ?? NoTags, NoTagItems,
        x.Event.RelevanceScore, x.Event.SentimentScore, x.Event.ConfidenceScore,
        x.Event.ClassifiedBy, x.Event.ClassificationEvidence, false, x.Event.EventDate, x.Event.DiscoveredAt,
        x.Event.ContentHash, x.Event.DuplicateOfEventId, x.Event.DuplicateOfEventId != null, x.Event.CreatedByUserId,
        x.Event.CreatedAt, x.Event.UpdatedAt, x.Event.IsDeleted, x.Event.DeletedAt,
        x.Mine != null && x.Mine.IsRead, x.Mine != null ? x.Mine.ReadAt : null,
        x.Mine != null && x.Mine.IsStarred, x.Mine != null ? x.Mine.StarredAt : null,
        x.Mine != null ? x.Mine.UserNotes : null, NoOneElse);

    /// <summary>
    /// Loads the rows with their client's name, then the live tags of just those events in a second, small
    /// statement. One statement with the tags as a joined collection made PostgreSQL build every tag link
    /// of the business before joining it to the page (26 ms of a 27 ms first page at 100,000 events, growing
    /// with the business); by event id it is a handful of index probes. EF Core 10 cannot put them in the
    /// page's statement instead: it translates string.Join over a correlated subquery only as that same
    /// joined collection, and SQLite has no lateral join for the grouped form.
    /// The rows must be live events (Live, as Matching and OneAsync give them): their tag links are then
    /// live exactly when the tag is, so the second statement does not join the events again to check.
    /// needsReview is set from <paramref name="reviewThreshold"/>, read here only when the caller has not and a row of
    /// the page was labelled by the classifier: a feed of events that came with their category reads no setting.
    /// </summary>
    public static async Task<List<EventDto>> LoadAsync(this IQueryable<EventForUser> rows, TidingsDbContext db, double? reviewThreshold, CancellationToken ct)
    {
        // Both statements on one connection: one checkout from the pool, and on PostgreSQL one reset, per page.
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var page = await rows.Select(AsDto).ToListAsync(ct);
            if (page.Count == 0)
                return [];
            var ids = page.Select(p => p.Id).ToList();
            // Index probes for the page's events, however large the business: one plan serves every business.
            var tags = await db.EventTags.AsNoTracking().IgnoreQueryFilters([SoftDeleteRules.Filter]).WithGenericPlan()
                .Where(t => !t.Tag!.IsDeleted && ids.Contains(t.EventId))
                .OrderBy(ByTagName)
                .Select(AsPageTag)
                .ToListAsync(ct);
            var byEvent = tags.ToLookup(t => t.EventId, t => t.Item);
            // Most events have no tags: only those that do are copied.
            for (var i = 0; i < page.Count; i++)
                if (byEvent.Contains(page[i].Id))
                    page[i] = page[i] with { EventTags = byEvent[page[i].Id].ToList() };
            await AddAlsoReportedByAsync(db, page, ct);
            if (reviewThreshold is null && page.Any(p => ClassifiedBy.IsClassifier(p.ClassifiedBy)))
                reviewThreshold = await ReviewThresholdAsync(db, ct);
            for (var i = 0; i < page.Count; i++)
                if (EventLabels.NeedsReview(page[i].ClassifiedBy, page[i].ConfidenceScore, reviewThreshold ?? 0))
                    page[i] = page[i] with { NeedsReview = true };
            return page;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// The other sources of the page's stories, in one statement for the page: the live copies of its originals, by the
    /// duplicate_of index. A source the original has already, or one a copy before gave, is not repeated.
    /// </summary>
    private static async Task AddAlsoReportedByAsync(TidingsDbContext db, List<EventDto> page, CancellationToken ct)
    {
        var originals = page.Where(p => p.DuplicateOfEventId is null).Select(p => (Guid?)p.Id).ToList();
        if (originals.Count == 0)
            return;
        var copies = await Live(db).WithGenericPlan()
            .Where(e => originals.Contains(e.DuplicateOfEventId))
            .OrderBy(e => e.CreatedAt).ThenBy(e => e.Id)
            .Select(e => new { OriginalId = e.DuplicateOfEventId!.Value, e.Source, e.Url })
            .ToListAsync(ct);
        if (copies.Count == 0)
            return;
        var byOriginal = copies.ToLookup(c => c.OriginalId);
        for (var i = 0; i < page.Count; i++)
        {
            if (!byOriginal.Contains(page[i].Id))
                continue;
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            if (SourceKey(page[i].Source, page[i].Url) is { } own)
                seen.Add(own);
            var others = byOriginal[page[i].Id].Where(c => SourceKey(c.Source, c.Url) is { } key && seen.Add(key))
                .Select(c => new ReportedBy(c.Source, c.Url)).ToList();
            if (others.Count > 0)
                page[i] = page[i] with { AlsoReportedBy = others };
        }
    }

    /// <summary>A source by its name, or by its link's host when it has none.</summary>
    private static string? SourceKey(string? source, string? url) =>
        !string.IsNullOrWhiteSpace(source) ? source.Trim()
        : Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Host
        : null;

    public static async Task<Page<EventDto>> PageAsync(TidingsDbContext db, Guid userId, FeedFilter filter, int limit, FeedCursor? cursor, CancellationToken ct)
    {
        var threshold = filter.NeedsReview == true ? await ReviewThresholdAsync(db, ct) : (double?)null;
        var rows = await Matching(db, userId, filter, threshold).After(cursor).NewestFirst().Take(limit + 1).LoadAsync(db, threshold, ct);
        return Paging.Of(rows, limit, r => r, r => Paging.Encode(new FeedCursor(r.EventDate, r.Id)));
    }

    /// <summary>One live event (duplicates included) as the caller sees it, or null.</summary>
    public static async Task<EventDto?> OneAsync(TidingsDbContext db, Guid userId, Guid id, CancellationToken ct) =>
        (await WithMine(db, userId, Live(db).Where(e => e.Id == id)).LoadAsync(db, null, ct)).SingleOrDefault();

    /// <summary>The business's reviewConfidenceThreshold: one row by its key.</summary>
    public static Task<double> ReviewThresholdAsync(TidingsDbContext db, CancellationToken ct) =>
        db.Businesses.Select(b => b.ReviewConfidenceThreshold).SingleAsync(ct);
}
