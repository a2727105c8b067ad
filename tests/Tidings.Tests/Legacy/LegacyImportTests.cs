using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Legacy;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Legacy;

/// <summary>
/// The rules of the move from the old app, checked on both target databases against old files built in
/// code with the defects real files have.
/// </summary>
public abstract class LegacyImportTests<TDatabase>(TDatabase database) : IDisposable where TDatabase : TestDatabase
{
    private readonly LegacyFileBuilder _old = new();
    private readonly string _tag = Guid.NewGuid().ToString("N")[..8];

    private string Email(string name) => $"{name}.{_tag}@old.example";

    private string NewName => "Old Co " + _tag;

    private async Task<LegacyImportReport> ImportAsync(string? adminEmail = null, TargetBusiness? business = null) =>
        await LegacyImport.RunAsync(new LegacyImportOptions(_old.Finish(), business ?? new TargetBusiness.New(NewName), adminEmail), database.Settings, TimeProvider.System, null, CancellationToken.None);

    /// <summary>Three people, five clients owned in every way account_owner was typed, and events with every defect.</summary>
    private (long Ada, long Bob, long Acme, long Globex, long Initech, long Umbrella, long Hooli) MessyFile()
    {
        var ada = _old.User(Email("ada"), "Ada Lovelace", BCrypt.Net.BCrypt.HashPassword("Welcome2023!", 4), 1, "2023-01-09 13:23:31.000000");
        var bob = _old.User(Email("bob"), "José Álvarez", null, 1, "2023-04-04T09:31:55");
        _old.User(Email("carol"), null, "plain-text-password", 0, "not a date");
        var acme = _old.Client("Acme", searchKeywords: "[\"acme\", \"rockets\"]", accountOwner: "  jose   ALVAREZ ", healthScore: 87.5);
        var globex = _old.Client("Globex", searchKeywords: "globex; widgets", accountOwner: Email("ada").ToUpperInvariant(), healthScore: "n/a");
        var initech = _old.Client("Initech", searchKeywords: "\"tps, reports\"", accountOwner: "TBD", healthScore: 150, createdAt: 1700000000);
        var umbrella = _old.Client("Umbrella", accountOwner: "Grace Hopper");
        var hooli = _old.Client("Hooli", accountOwner: "");
        return (ada, bob, acme, globex, initech, umbrella, hooli);
    }

    [Fact]
    public async Task Every_old_row_lands_verified_and_a_second_run_writes_nothing()
    {
        var f = MessyFile();
        _old.Event(f.Acme, "Acme raises money", "funding", "2024-03-05 14:02:11.123456", url: "https://news.example/acme?utm_source=x", isRead: 1, isStarred: 1);
        _old.Event(f.Acme, "Acme raises money (again)", "Funding Round", "2024-03-05T16:02:11+02:00", url: "https://NEWS.example/acme/");
        _old.Event(f.Globex, "Globex layoffs", "Layoff", "yesterday", isRead: "yes");
        _old.Event(f.Initech, new string('x', 600), "misc stuff", 1709647331, relevance: 1.7);
        _old.Event(999, "Orphan story", "legal", "2024-03-05");

        var first = await ImportAsync(Email("ada"));

        Assert.True(first.Verification!.Passed);
        Assert.True(first.BusinessCreated);
        Assert.Equal((3, 3, 0), Counts(first, "users"));
        Assert.Equal((5, 5, 0), Counts(first, "clients"));
        Assert.Equal((5, 5, 0), Counts(first, "events"));
        await using (var db = database.Context(first.BusinessId))
        {
            Assert.Equal(5, await db.Events.CountAsync());
            Assert.Equal(6, await db.Clients.CountAsync()); // five old clients and the placeholder for client 999
            Assert.Equal(4, await db.Users.CountAsync()); // three old users and Grace Hopper, who owned a client without an account
            Assert.Equal(5 + 6 + 3, await db.LegacyIdMap.CountAsync());
        }
        var before = await SnapshotAsync(first.BusinessId);

        var second = await ImportAsync(Email("ada"), new TargetBusiness.WithId(first.BusinessId));

        Assert.True(second.NothingToDo);
        Assert.False(second.BusinessCreated);
        Assert.Equal(first.BusinessId, second.BusinessId);
        Assert.True(second.Verification!.Passed);
        Assert.Equal((3, 0, 3), Counts(second, "users"));
        Assert.Equal((5, 0, 5), Counts(second, "events"));
        Assert.Equal(before, await SnapshotAsync(first.BusinessId));

        var bySlug = await ImportAsync(Email("ada"), new TargetBusiness.WithSlug(first.BusinessSlug));

        Assert.True(bySlug.NothingToDo);
        Assert.Equal(first.BusinessId, bySlug.BusinessId);
        Assert.Equal(before, await SnapshotAsync(first.BusinessId));
    }

    [Fact]
    public async Task Creating_a_business_that_shares_a_name_or_slug_with_one_is_refused_and_writes_nothing()
    {
        MessyFile();
        var first = await ImportAsync(Email("ada"));
        var before = await SnapshotAsync(first.BusinessId);

        // The same name in other letters, and another name that gives the same slug.
        foreach (var name in new[] { NewName.ToUpperInvariant(), $"  old co!! {_tag} " })
        {
            var error = await Assert.ThrowsAsync<VerbFailedException>(() => ImportAsync(Email("ada"), new TargetBusiness.New(name)));
            Assert.Contains(first.BusinessId.ToString(), error.Message);
        }

        Assert.Equal(before, await SnapshotAsync(first.BusinessId));
        await using var db = database.Context();
        using (await db.BeginPlatformScopeAsync("tests"))
            Assert.Single(await db.AcrossBusinesses<Tidings.Businesses.Business>().Where(b => b.Slug.StartsWith(first.BusinessSlug)).ToListAsync());
    }

    [Fact]
    public async Task An_unknown_business_id_or_slug_fails_before_anything_is_written()
    {
        MessyFile();
        var missing = Guid.CreateVersion7();
        var targets = new (TargetBusiness Target, string Mention)[]
        {
            (new TargetBusiness.WithId(missing), missing.ToString()),
            (new TargetBusiness.WithSlug("no-such-business-" + _tag), "no-such-business-" + _tag),
        };

        foreach (var (target, mention) in targets)
        {
            var error = await Assert.ThrowsAsync<VerbFailedException>(() => ImportAsync(Email("ada"), target));
            Assert.Contains(mention, error.Message);
        }

        await using var db = database.Context();
        using (await db.BeginPlatformScopeAsync("tests"))
            Assert.False(await db.AcrossBusinesses<User>().AnyAsync(u => u.Email == Email("ada")));
    }

    [Fact]
    public async Task Account_owners_match_by_name_or_email_ignoring_case_spacing_and_accents_and_nobody_is_lost()
    {
        var f = MessyFile();
        var report = await ImportAsync(Email("ada"));

        await using var db = database.Context(report.BusinessId);
        var users = await db.Users.ToDictionaryAsync(u => u.DisplayName);
        var clients = await db.Clients.ToDictionaryAsync(c => c.Name);
        Assert.Equal(users["José Álvarez"].Id, clients["Acme"].AssignedToUserId);
        Assert.Equal(users["Ada Lovelace"].Id, clients["Globex"].AssignedToUserId);
        Assert.Null(clients["Initech"].AssignedToUserId);
        Assert.Null(clients["Hooli"].AssignedToUserId);
        var grace = users["Grace Hopper"];
        Assert.Equal(grace.Id, clients["Umbrella"].AssignedToUserId);
        Assert.False(grace.IsActive);
        Assert.Null(grace.PasswordHash);

        Assert.Equal(
            [(f.Acme, "matched by name"), (f.Globex, "matched by email"), (f.Initech, "placeholder: no owner"), (f.Umbrella, "no such user: created as an inactive person without sign-in"), (f.Hooli, "placeholder: no owner")],
            report.Owners.Select(o => (o.ClientOldId, o.Decision)));
        Assert.Equal(1, report.Anomalies["unmatched_owner"].Count);
        Assert.Equal(2, report.Anomalies["placeholder_owner"].Count);
        // The text as typed stays readable wherever it was not exactly the owner's name.
        var keptOwners = await db.LegacyValues.Where(v => v.ColumnName == "account_owner").Select(v => v.OriginalValue).ToListAsync();
        Assert.Equal(["", "  jose   ALVAREZ ", Email("ada").ToUpperInvariant(), "TBD"], keptOwners.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Users_keep_their_email_password_and_state_and_the_named_admin_becomes_owner()
    {
        MessyFile();
        var report = await ImportAsync(Email("bob"));

        await using var db = database.Context(report.BusinessId);
        var users = await db.Users.ToDictionaryAsync(u => u.NormalizedEmail);
        var ada = users[User.Normalize(Email("ada"))];
        Assert.True(Passwords.IsLegacyBcrypt(ada.PasswordHash!));
        Assert.Equal(UserRoles.Member, ada.Role);
        Assert.Equal(new DateTime(2023, 1, 9, 13, 23, 31, DateTimeKind.Utc), ada.CreatedAt);
        Assert.Equal(UserRoles.Owner, users[User.Normalize(Email("bob"))].Role);
        Assert.Equal("--admin-email", report.OwnerChosenBy);

        var carol = users[User.Normalize(Email("carol"))];
        Assert.False(carol.IsActive);
        Assert.Null(carol.PasswordHash); // not bcrypt: kept aside, never offered to the sign-in
        Assert.Equal(carol.Email, carol.DisplayName);
        var kept = await db.LegacyValues.Where(v => v.RecordId == carol.Id).ToDictionaryAsync(v => v.ColumnName);
        // The value may be a password in clear: only its shape is kept.
        Assert.Equal("withheld: plaintext, 19 characters", kept["hashed_password"].OriginalValue);
        Assert.Equal("unusable_password", kept["hashed_password"].Reason);
        Assert.Null(kept["full_name"].OriginalValue);
        Assert.Equal("not a date", kept["created_at"].OriginalValue);
        Assert.Equal("unparseable_timestamp", kept["created_at"].Reason);
    }

    [Fact]
    public async Task Without_an_admin_email_the_first_active_old_user_becomes_owner_and_the_report_says_so()
    {
        _old.User(Email("gone"), "Gone", null, 0, "2023-01-01 00:00:00");
        _old.User(Email("first"), "First Active", null, 1, "2023-01-02 00:00:00");
        var report = await ImportAsync();

        Assert.Equal(Email("first"), report.OwnerEmail);
        Assert.Contains("first active", report.OwnerChosenBy);
        await using var db = database.Context(report.BusinessId);
        Assert.Equal(UserRoles.Owner, (await db.Users.SingleAsync(u => u.DisplayName == "First Active")).Role);
    }

    [Fact]
    public async Task Read_and_starred_flags_go_to_the_clients_owner_else_to_the_admin_and_their_counts_match()
    {
        var f = MessyFile();
        _old.Event(f.Acme, "Acme read and starred", "funding", "2024-03-01 10:00:00", isRead: 1, isStarred: 1);
        _old.Event(f.Acme, "Acme unread", "funding", "2024-03-02 10:00:00");
        _old.Event(f.Initech, "Initech read when", "legal", "2024-03-03 10:00:00", isRead: "2024-03-04 08:30:00");
        _old.Event(f.Umbrella, "Umbrella starred", "other", "2024-03-04 10:00:00", isStarred: "true");
        var report = await ImportAsync(Email("ada"));

        Assert.Equal((2, 2, 2, 2), (report.Verification!.ReadOld, report.Verification.ReadNew, report.Verification.StarredOld, report.Verification.StarredNew));
        await using var db = database.Context(report.BusinessId);
        var people = await db.Users.ToDictionaryAsync(u => u.Id, u => u.DisplayName);
        var flags = await db.EventUserInteractions.Include(i => i.Event)
            .Select(i => new { i.Event!.Title, i.UserId, i.IsRead, i.ReadAt, i.IsStarred })
            .ToListAsync();
        Assert.Equal(3, flags.Count);
        var acme = flags.Single(i => i.Title == "Acme read and starred");
        Assert.Equal(("José Álvarez", true, true), (people[acme.UserId], acme.IsRead, acme.IsStarred));
        // Initech has no owner and Umbrella's owner never had an account: the admin gets those flags.
        var initech = flags.Single(i => i.Title == "Initech read when");
        Assert.Equal(("Ada Lovelace", new DateTime(2024, 3, 4, 8, 30, 0, DateTimeKind.Utc)), (people[initech.UserId], initech.ReadAt));
        Assert.Equal("Ada Lovelace", people[flags.Single(i => i.Title == "Umbrella starred").UserId]);
    }

    [Fact]
    public async Task Categories_keywords_timestamps_and_odd_values_are_carried_or_kept_never_dropped()
    {
        var f = MessyFile();
        _old.Event(f.Acme, "Normalised", " Funding Round ", "2024-03-05T16:02:11+02:00");
        _old.Event(f.Acme, "Unknown", "misc stuff", "Tue, 05 Mar 2024 14:02:11 GMT");
        _old.Event(f.Acme, "Unreadable date", "legal", "sometime in March", relevance: 1.7);
        _old.Event(f.Acme, new string('t', 600), "earnings", 1709647331.5);
        var report = await ImportAsync(Email("ada"));

        Assert.True(report.Verification!.Passed);
        await using var db = database.Context(report.BusinessId);
        var events = await db.Events.ToListAsync();
        var kept = await db.LegacyValues.ToListAsync();
        string? Kept(Guid id, string column) => kept.Single(v => v.RecordId == id && v.ColumnName == column).OriginalValue;

        var normalised = events.Single(e => e.Title == "Normalised");
        Assert.Equal("funding", normalised.Category);
        Assert.Equal(" Funding Round ", Kept(normalised.Id, "category"));
        Assert.Equal(new DateTime(2024, 3, 5, 14, 2, 11, DateTimeKind.Utc), normalised.EventDate);
        var unknown = events.Single(e => e.Title == "Unknown");
        Assert.Equal("misc stuff", unknown.Category);
        Assert.Equal(new DateTime(2024, 3, 5, 14, 2, 11, DateTimeKind.Utc), unknown.EventDate);
        var unreadable = events.Single(e => e.Title == "Unreadable date");
        Assert.Equal("sometime in March", Kept(unreadable.Id, "event_date"));
        Assert.Equal(unreadable.DiscoveredAt, unreadable.EventDate);
        Assert.Equal(Tidings.Events.Event.DefaultRelevanceScore, unreadable.RelevanceScore);
        Assert.Equal("1.7", Kept(unreadable.Id, "relevance_score"));
        var overlong = events.Single(e => e.Category == "earnings");
        Assert.Equal(500, overlong.Title.Length);
        Assert.Equal(new string('t', 600), Kept(overlong.Id, "title"));
        Assert.Equal(new DateTime(2024, 3, 5, 14, 2, 11, 500, DateTimeKind.Utc), overlong.EventDate);

        var clients = await db.Clients.ToDictionaryAsync(c => c.Name);
        Assert.Equal(["acme", "rockets"], clients["Acme"].SearchKeywords);
        Assert.Equal(["globex", "widgets"], clients["Globex"].SearchKeywords);
        Assert.Equal("globex; widgets", Kept(clients["Globex"].Id, "search_keywords"));
        Assert.Equal(["tps", "reports"], clients["Initech"].SearchKeywords);
        Assert.Null(clients["Globex"].HealthScore);
        Assert.Equal("n/a", Kept(clients["Globex"].Id, "health_score"));
        Assert.Null(clients["Initech"].HealthScore);
        Assert.Equal("150", Kept(clients["Initech"].Id, "health_score"));
        Assert.Equal(DateTime.UnixEpoch.AddSeconds(1700000000), clients["Initech"].CreatedAt);

        foreach (var kind in new[] { "normalised_category", "unknown_category", "unparseable_timestamp", "out_of_range_value", "overlong_value", "reshaped_keywords", "unparseable_number" })
            Assert.True(report.Anomalies.ContainsKey(kind), kind);
        Assert.All(report.Anomalies.Values, a => Assert.InRange(a.Examples.Count, 1, LegacyImportReport.ExamplesPerAnomaly));
    }

    [Fact]
    public async Task Stories_stored_twice_point_at_the_first_and_events_of_deleted_clients_stay_under_a_placeholder()
    {
        var f = MessyFile();
        _old.Event(f.Acme, "Acme raises money", "funding", "2024-03-05 10:00:00", url: "https://news.example/acme");
        _old.Event(f.Acme, "Acme raises money!", "funding", "2024-03-05 11:00:00", url: "https://NEWS.example/acme/?utm_source=feed");
        _old.Event(f.Acme, "Acme raises money", "funding", "2024-03-05 12:00:00", url: "https://news.example/acme#top");
        _old.Event(999, "Orphan one", "legal", "2024-03-05 10:00:00");
        _old.Event(999, "Orphan two", "legal", "2024-03-06 10:00:00");
        var report = await ImportAsync(Email("ada"));

        await using var db = database.Context(report.BusinessId);
        var events = await db.Events.OrderBy(e => e.EventDate).ToListAsync();
        var acme = events.Where(e => e.Title.StartsWith("Acme")).ToList();
        Assert.Equal(3, acme.Count);
        Assert.Null(acme[0].DuplicateOfEventId);
        Assert.Equal([acme[0].Id, acme[0].Id], acme.Skip(1).Select(e => e.DuplicateOfEventId));
        Assert.All(acme, e => Assert.Equal(acme[0].ContentHash, e.ContentHash));
        Assert.Equal(2, report.Anomalies["duplicate_event"].Count);

        var placeholder = await db.Clients.SingleAsync(c => c.Name == "Missing client #999");
        Assert.False(placeholder.IsActive);
        Assert.Equal(2, events.Count(e => e.ClientId == placeholder.Id));
        Assert.Equal(2, report.Anomalies["orphan_event"].Count);
        Assert.Equal(1, report.Table("clients (placeholders for missing clients)").Written);
    }

    [Fact]
    public async Task The_import_is_audited_as_the_legacy_import_actor_one_entry_per_table_and_batch()
    {
        var f = MessyFile();
        for (var i = 0; i < 30; i++)
            _old.Event(f.Acme, $"Story {i}", "funding", "2024-03-05 10:00:00", isRead: i % 2);
        var report = await ImportAsync(Email("ada"));

        await using var db = database.Context(report.BusinessId);
        var trail = await db.AuditLogs.Where(a => a.BusinessId == report.BusinessId).ToListAsync();
        Assert.All(trail, a => Assert.Equal("system:" + LegacyImport.Actor, a.ActorName));
        Assert.Single(trail, a => a.TableName == "businesses" && a.Action == AuditActions.Create);
        // The new business's default taxonomy, row by row as any new business's.
        var taxonomy = trail.Count(a => a.TableName == "categories" && a.Action == AuditActions.Create);
        Assert.Equal(Tidings.Categories.DefaultTaxonomy.Entries.Count, taxonomy);
        var imports = trail.Where(a => a.Action == AuditActions.Import).ToList();
        Assert.Equal(trail.Count - 1 - taxonomy, imports.Count);
        Assert.Equal(imports.Count, imports.Select(a => (a.TableName, a.RecordId)).Distinct().Count());
        static int Rows(AuditLog entry) => System.Text.Json.JsonDocument.Parse(entry.NewValues!).RootElement.GetProperty("rows").GetInt32();
        Assert.Equal(30, Rows(Assert.Single(imports, a => a.TableName == "events")));
        Assert.Equal(15, Rows(Assert.Single(imports, a => a.TableName == "event_user_interactions")));
        Assert.True(imports.Count < 10, "one entry per table and batch, not one per row");
    }

    [Fact]
    public async Task An_old_user_who_already_has_an_account_in_the_business_becomes_that_account()
    {
        var existing = await database.NewBusinessAsync("Existing Co " + _tag);
        string ownerEmail;
        await using (var db = database.Context(existing.Id))
            ownerEmail = (await db.Users.SingleAsync()).Email;
        _old.User(ownerEmail.ToUpperInvariant(), "The Owner", null, 1, "2023-01-01 00:00:00");
        var acme = _old.Client("Acme", accountOwner: "the owner");
        _old.Event(acme, "Read by the owner", "funding", "2024-01-01 00:00:00", isRead: 1);

        var report = await ImportAsync(business: new TargetBusiness.WithId(existing.Id));

        Assert.False(report.BusinessCreated);
        Assert.True(report.Verification!.Passed);
        await using var check = database.Context(existing.Id);
        Assert.Equal(existing.OwnerId, (await check.Users.SingleAsync()).Id);
        Assert.Equal(existing.OwnerId, (await check.Clients.SingleAsync()).AssignedToUserId);
        Assert.Equal(existing.OwnerId, (await check.EventUserInteractions.SingleAsync()).UserId);
        Assert.Equal(1, report.Anomalies["merged_with_existing_user"].Count);
    }

    [Fact]
    public async Task An_email_another_business_uses_gets_a_stand_in_address_and_the_original_is_kept()
    {
        var other = await database.NewBusinessAsync();
        string taken;
        await using (var db = database.Context(other.Id))
            taken = (await db.Users.SingleAsync()).Email;
        _old.User(taken, "Same Email", null, 1, "2023-01-01 00:00:00");
        var report = await ImportAsync();

        Assert.True(report.Verification!.Passed);
        await using var check = database.Context(report.BusinessId);
        var user = await check.Users.SingleAsync();
        Assert.EndsWith("@legacy-import.invalid", user.Email);
        Assert.Equal(taken, (await check.LegacyValues.SingleAsync(v => v.RecordId == user.Id && v.ColumnName == "email")).OriginalValue);
        Assert.Equal(1, report.Anomalies["email_conflict"].Count);
    }

    [Fact]
    public async Task An_admin_email_that_names_nobody_stops_the_run_before_anything_is_written()
    {
        MessyFile();
        var name = NewName;
        var error = await Assert.ThrowsAsync<VerbFailedException>(() => ImportAsync("nobody@old.example"));
        Assert.Contains("nobody@old.example", error.Message);
        await using var db = database.Context();
        using (await db.BeginPlatformScopeAsync("tests"))
            Assert.False(await db.AcrossBusinesses<Tidings.Businesses.Business>().AnyAsync(b => b.Name == name));
    }

    private static (long Read, long Written, long Already) Counts(LegacyImportReport report, string table) =>
        (report.Tables[table].Read, report.Tables[table].Written, report.Tables[table].AlreadyImported);

    /// <summary>Every row the business holds in the imported tables, and its audit trail length.</summary>
    private async Task<List<string>> SnapshotAsync(Guid businessId)
    {
        await using var db = database.Context(businessId);
        var rows = new List<string> { "audit " + await db.AuditLogs.CountAsync() };
        rows.AddRange((await db.Users.IgnoreQueryFilters([SoftDeleteRules.Filter]).ToListAsync()).Select(EntitySets.Values));
        rows.AddRange((await db.Clients.IgnoreQueryFilters([SoftDeleteRules.Filter]).ToListAsync()).Select(EntitySets.Values));
        rows.AddRange((await db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).ToListAsync()).Select(EntitySets.Values));
        rows.AddRange((await db.EventUserInteractions.ToListAsync()).Select(EntitySets.Values));
        rows.Add("map " + await db.LegacyIdMap.CountAsync());
        rows.Add("kept " + await db.LegacyValues.CountAsync());
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    public void Dispose() => _old.Dispose();
}

public sealed class LegacyImportTests_Sqlite(SqliteDatabase database) : LegacyImportTests<SqliteDatabase>(database), IClassFixture<SqliteDatabase>;
public sealed class LegacyImportTests_Postgres(PostgresDatabase database) : LegacyImportTests<PostgresDatabase>(database), IClassFixture<PostgresDatabase>;
public sealed class LegacyImportTests_Citus(CitusDatabase database) : LegacyImportTests<CitusDatabase>(database), IClassFixture<CitusDatabase>;
