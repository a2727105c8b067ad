using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.SoftDelete;
using static Tidings.Legacy.LegacyParsing;

namespace Tidings.Legacy;

/// <summary>
/// Proof that nothing was lost: every old row, and the new row it became read back from the database,
/// are written as the same canonical line of carried fields (text as it was, times as UTC instants,
/// flags as 0/1; where a value was kept in legacy_values, the kept original), and the lines of each
/// table are counted and hashed in old-id order. Equal counts and checksums on both sides mean every
/// row and value arrived. Password hashes are left out: signing in replaces them by design.
/// </summary>
public static class LegacyVerification
{
    private const string Null = "\u2400";

    public static async Task<Verification> RunAsync(TidingsDbContext db, LegacySource source, IProgress<LegacyProgress>? progress, CancellationToken ct)
    {
        var verification = new Verification();
        var kept = await KeptValues.LoadAsync(db, ct);
        var map = await db.LegacyIdMap.AsNoTracking().Where(m => m.TableName != "events").ToListAsync(ct);
        var clientOldIds = map.Where(m => m.TableName is "clients" or "missing_clients").ToDictionary(m => m.NewId, m => m.OldId);
        var newIds = map.GroupBy(m => m.TableName).ToDictionary(g => g.Key, g => g.ToDictionary(m => m.OldId, m => m.NewId));

        var users = new Checksum();
        var oldUsers = await source.UsersAsync(ct);
        foreach (var u in oldUsers)
            users.Old(Line(u.Id, Text(u.Email), Text(u.FullName), FlagOf(u.IsActive), Time(u.CreatedAt, required: true)));
        var newUsers = await db.Users.IgnoreQueryFilters([SoftDeleteRules.Filter]).AsNoTracking().ToDictionaryAsync(u => u.Id, ct);
        foreach (var (oldId, id) in Mapped(newIds, "users"))
        {
            var u = newUsers[id];
            users.New(Line(oldId, kept.Or(id, "email", u.Email, Text), kept.Or(id, "full_name", u.DisplayName, Text),
                kept.Or(id, "is_active", Bit(u.IsActive), FlagOf), kept.Or(id, "created_at", Iso(u.CreatedAt), v => Time(v, required: true))));
        }
        verification.Tables["users"] = users.Result();

        var clients = new Checksum();
        foreach (var c in await source.ClientsAsync(ct))
            clients.Old(Line(c.Id, Text(c.Name), Text(c.Domain), Text(c.Industry), Text(c.Description), KeywordsOf(c.SearchKeywords), FlagOf(c.IsActive),
                Text(c.AccountOwner), Text(c.Tier), NumberOf(c.HealthScore, 0, 100, required: false), Text(c.Notes), Time(c.CreatedAt, required: true), Time(c.UpdatedAt, required: true), Time(c.LastCheckedAt, required: false)));
        var newClients = await db.Clients.IgnoreQueryFilters([SoftDeleteRules.Filter]).AsNoTracking().ToDictionaryAsync(c => c.Id, ct);
        foreach (var (oldId, id) in Mapped(newIds, "clients"))
        {
            var c = newClients[id];
            var owner = c.AssignedToUserId is { } ownerId ? newUsers.GetValueOrDefault(ownerId)?.DisplayName : null;
            clients.New(Line(oldId, kept.Or(id, "name", c.Name, Text), kept.Or(id, "domain", c.Domain, Text), kept.Or(id, "industry", c.Industry, Text),
                kept.Or(id, "description", c.Description, Text),
                kept.Or(id, "search_keywords", c.SearchKeywords is null ? Null : JsonSerializer.Serialize(c.SearchKeywords), KeywordsOf),
                kept.Or(id, "is_active", Bit(c.IsActive), FlagOf), kept.Or(id, "account_owner", owner, Text), kept.Or(id, "tier", c.Tier, Text),
                kept.Or(id, "health_score", Real(c.HealthScore), v => NumberOf(v, 0, 100, required: false)), kept.Or(id, "notes", c.Notes, Text),
                kept.Or(id, "created_at", Iso(c.CreatedAt), v => Time(v, required: true)), kept.Or(id, "updated_at", Iso(c.UpdatedAt), v => Time(v, required: true)),
                kept.Or(id, "last_checked_at", c.LastCheckedAt is { } checkedAt ? Iso(checkedAt) : Null, v => Time(v, required: false))));
        }
        verification.Tables["clients"] = clients.Result();

        var events = new Checksum();
        var total = await source.EventCountAsync(ct);
        long done = 0;
        await foreach (var e in source.EventsAsync(ct))
        {
            var read = Boolean(e.IsRead).Value;
            var starred = Boolean(e.IsStarred).Value;
            verification.ReadOld += read ? 1 : 0;
            verification.StarredOld += starred ? 1 : 0;
            events.Old(Line(e.Id, Text(e.ClientId), Text(e.Title), Text(e.Description), Text(e.Url), Text(e.Source), Text(e.Category),
                NumberOf(e.RelevanceScore, 0, 1, required: true), NumberOf(e.SentimentScore, -1, 1, required: false), Time(e.EventDate, required: true), Time(e.DiscoveredAt, required: true), Bit(read), Bit(starred)));
            if (++done % 50_000 == 0)
                progress?.Report(new LegacyProgress("verifying old events", done, total));
        }

        // Flags and rows stream from the database in old-id order, so a million events never sit in memory as lines.
        // Without the soft-delete filter's join to events and clients: right after a bulk load the planner has
        // no statistics for the new rows, and that join became a nested loop over every pair.
        var interactions = db.EventUserInteractions.IgnoreQueryFilters([SoftDeleteRules.Filter]).AsNoTracking();
        var readIds = (await interactions.Where(i => i.IsRead).Select(i => i.EventId).Distinct().ToListAsync(ct)).ToHashSet();
        var starredIds = (await interactions.Where(i => i.IsStarred).Select(i => i.EventId).Distinct().ToListAsync(ct)).ToHashSet();
        var newEvents =
            from m in db.LegacyIdMap.AsNoTracking()
            where m.TableName == "events"
            join e in db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).AsNoTracking() on m.NewId equals e.Id
            orderby m.OldId
            select new { m.OldId, Event = e };
        await foreach (var (oldId, e) in newEvents.AsAsyncEnumerable().Select(x => (x.OldId, x.Event)).WithCancellation(ct))
        {
            var read = readIds.Contains(e.Id);
            var starred = starredIds.Contains(e.Id);
            verification.ReadNew += read ? 1 : 0;
            verification.StarredNew += starred ? 1 : 0;
            var clientOldId = clientOldIds.TryGetValue(e.ClientId, out var c) ? c.ToString(CultureInfo.InvariantCulture) : "?" + e.ClientId;
            events.New(Line(oldId, kept.Or(e.Id, "client_id", clientOldId, Text), kept.Or(e.Id, "title", e.Title, Text),
                kept.Or(e.Id, "description", e.Description, Text), kept.Or(e.Id, "url", e.Url, Text), kept.Or(e.Id, "source", e.Source, Text),
                kept.Or(e.Id, "category", e.Category, Text),
                kept.Or(e.Id, "relevance_score", Real(e.RelevanceScore), v => NumberOf(v, 0, 1, required: true)),
                kept.Or(e.Id, "sentiment_score", Real(e.SentimentScore), v => NumberOf(v, -1, 1, required: false)),
                kept.Or(e.Id, "event_date", Iso(e.EventDate), v => Time(v, required: true)),
                kept.Or(e.Id, "discovered_at", Iso(e.DiscoveredAt), v => Time(v, required: true)), Bit(read), Bit(starred)));
        }
        verification.Tables["events"] = events.Result();
        return verification;
    }

    private static IEnumerable<(long OldId, Guid NewId)> Mapped(Dictionary<string, Dictionary<long, Guid>> newIds, string table) =>
        newIds.TryGetValue(table, out var ids) ? ids.OrderBy(p => p.Key).Select(p => (p.Key, p.Value)) : [];

    private static string Line(long oldId, params string[] fields) =>
        oldId.ToString(CultureInfo.InvariantCulture) + "\t" + string.Join('\t', fields);

    private static string Text(object? value) => LegacyParsing.Text(value) ?? Null;
    private static string Bit(bool value) => value ? "1" : "0";
    private static string FlagOf(object? value) => Bit(Boolean(value).Value);
    private static string Iso(DateTime value) => value.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
    private static string Real(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? Null;

    /// <summary>
    /// Old values carried as they were read the same as their new column; the rest (unparseable, out of
    /// range, or missing where the new column needs a value) are compared by their kept original.
    /// </summary>
    private static string Time(object? value, bool required) =>
        value is null && !required ? Null : Timestamp(value) is { } t ? Iso(t) : Kept(value);
    private static string NumberOf(object? value, double min, double max, bool required) =>
        value is null && !required ? Null : LegacyParsing.Number(value) is { } d && d >= min && d <= max ? Real(d) : Kept(value);
    private static string KeywordsOf(object? value) =>
        Keywords(value) is (var list, true) ? list is null ? Null : JsonSerializer.Serialize(list) : Kept(value);
    private static string Kept(object? value) => "kept:" + Text(value);

    /// <summary>
    /// legacy_values by (record, old column). Where an original was kept, the new side is the old value
    /// recovered from it, put through the same canonical form as the old side.
    /// </summary>
    private sealed class KeptValues(Dictionary<(Guid, string), string?> values)
    {
        public static async Task<KeptValues> LoadAsync(TidingsDbContext db, CancellationToken ct) =>
            new((await db.LegacyValues.AsNoTracking().Select(v => new { v.RecordId, v.ColumnName, v.OriginalValue }).ToListAsync(ct))
                .GroupBy(v => (v.RecordId, v.ColumnName))
                .ToDictionary(g => g.Key, g => g.Last().OriginalValue));

        public string Or(Guid record, string column, string? current, Func<object?, string> canonical) =>
            values.TryGetValue((record, column), out var original) ? canonical(original) : current ?? Null;
    }

    private sealed class Checksum
    {
        private readonly IncrementalHash _old = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly IncrementalHash _new = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _oldCount, _newCount;

        public void Old(string line) { _old.AppendData(Encoding.UTF8.GetBytes(line + "\n")); _oldCount++; }
        public void New(string line) { _new.AppendData(Encoding.UTF8.GetBytes(line + "\n")); _newCount++; }

        public TableCheck Result() => new()
        {
            OldCount = _oldCount,
            NewCount = _newCount,
            OldChecksum = Convert.ToHexStringLower(_old.GetHashAndReset()),
            NewChecksum = Convert.ToHexStringLower(_new.GetHashAndReset()),
        };
    }
}
