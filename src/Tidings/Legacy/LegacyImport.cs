using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Tidings.Businesses;
using Tidings.Clients;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Data.Tenancy;
using Tidings.Events;
using Tidings.Interactions;
using Tidings.Users;
using static Tidings.Legacy.LegacyParsing;

namespace Tidings.Legacy;

public sealed record LegacyImportOptions(string SourcePath, TargetBusiness Business, string? AdminEmail);

public sealed record LegacyProgress(string Stage, long Done, long Total);

/// <summary>
/// The one transformation from the old app's tables to a business in Tidings, used by the fresh-start
/// import and by the in-place migration. One run is one transaction: killed at any moment, the target
/// holds nothing of it, and the next run does the whole job. Old ids are mapped (legacy_id_map), so a
/// row already imported is skipped and a second run writes nothing. Rows go in through
/// <see cref="BulkInsert"/>, audited as one IMPORT entry per table and batch by the "legacy-import"
/// system actor, and the run is verified against the old file before it commits.
/// </summary>
public static class LegacyImport
{
    public const string Actor = "legacy-import";
    public const int BatchSize = 20_000;

    public static async Task<LegacyImportReport> RunAsync(LegacyImportOptions options, DatabaseSettings settings, TimeProvider clock, IProgress<LegacyProgress>? progress, CancellationToken ct)
    {
        await using var source = await LegacySource.OpenAsync(options.SourcePath, ct);
        // An operator's verb, like `db migrate`: it runs as the schema owner when one is configured, who may ANALYZE
        // what it loads. Row-level security is forced on the owner too, so the business boundary holds all the same.
        await using var db = DatabaseSetup.CreateContext(settings, settings.MigrationConnectionString, new CurrentTenant(), new CurrentActor(), clock);
        if ((await db.Database.GetPendingMigrationsAsync(ct)).Any())
            throw new VerbFailedException("the target database has pending migrations: run `tidings db migrate` first.");
        var report = await ImportAsync(db, source, options.Business, options.AdminEmail, clock, progress, ct);
        report.Tool = "tidings legacy import";
        report.Target = settings.Provider.ToString();
        return report;
    }

    /// <summary>Imports, verifies, and commits only when verification passes (the report says either way).</summary>
    public static async Task<LegacyImportReport> ImportAsync(TidingsDbContext db, LegacySource source, TargetBusiness target, string? adminEmail, TimeProvider clock, IProgress<LegacyProgress>? progress, CancellationToken ct)
    {
        if (target is TargetBusiness.New { Name: var name } && name.Trim().Length is 0 or > 200)
            throw new VerbFailedException("--create-business: give the business a name of 1 to 200 characters.");
        await source.EnsureTablesAsync(ct);
        db.Actor.SetSystem(Actor);
        var startedAt = StoredTime.Now(clock);
        var oldUsers = await source.UsersAsync(ct);
        var oldClients = await source.ClientsAsync(ct);

        var (business, created, emailsElsewhere) = await FindBusinessAsync(db, target, oldUsers, ct);
        db.Tenant.Set(business.Id);
        // A transient fault (PostgreSQL restarted mid-run) runs the whole import again, in a new transaction and with a
        // new report: the failed attempt committed nothing.
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(token =>
        {
            db.ChangeTracker.Clear();
            var report = new LegacyImportReport { Source = source.Name, StartedAt = startedAt, BusinessId = business.Id, BusinessName = business.Name, BusinessSlug = business.Slug, BusinessCreated = created };
            return WriteAndVerifyAsync(db, source, report, business, oldUsers, oldClients, adminEmail, emailsElsewhere, clock, progress, token);
        }, ct);
    }

    private static async Task<LegacyImportReport> WriteAndVerifyAsync(TidingsDbContext db, LegacySource source, LegacyImportReport report, Business business,
        List<OldUser> oldUsers, List<OldClient> oldClients, string? adminEmail, HashSet<string> emailsElsewhere, TimeProvider clock, IProgress<LegacyProgress>? progress, CancellationToken ct)
    {
        using var direct = db.AllowDirectWrites("legacy import: bulk rows, one IMPORT audit entry per table and batch");
        // A million rows take longer than one default command timeout to copy, move and read back.
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
        await db.Database.OpenConnectionAsync(ct);
        if (db.Database.IsSqlite())
            // One transaction writes every row and all its index entries: SQLite's 2 MB default page cache would spill to disk all along.
            await db.Database.ExecuteSqlRawAsync("PRAGMA cache_size = -262144", ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (report.BusinessCreated)
        {
            db.Businesses.Add(business);
            db.Categories.AddRange(Categories.DefaultTaxonomy.NewCategories());
            await db.SaveChangesAsync(ct);
        }

        var run = new Run(db, report, business.Id, StoredTime.Now(clock), source.Name, emailsElsewhere);
        await run.LoadAsync(ct);
        var admin = run.ImportUsers(oldUsers, adminEmail);
        run.ImportClients(oldClients);
        await run.FlushAsync(ct);
        await run.AddPlaceholderClientsAsync(await source.MissingClientKeysAsync(ct), ct);
        await run.ImportEventsAsync(source, admin, progress, ct);

        report.NothingToDo = !report.BusinessCreated && report.Tables.Values.All(t => t.Written == 0);
        var verifying = System.Diagnostics.Stopwatch.GetTimestamp();
        report.Verification = await LegacyVerification.RunAsync(db, source, progress, ct);
        report.Time("verifying", verifying);
        report.FinishedAt = StoredTime.Now(clock);
        report.Seconds = Math.Round((report.FinishedAt - report.StartedAt).TotalSeconds, 2);
        report.Timings["reading and transforming, beyond writing"] = report.Seconds - report.Timings.Values.Sum();
        foreach (var phase in report.Timings.Keys.ToList())
            report.Timings[phase] = Math.Round(report.Timings[phase], 2);
        if (report.Verification.Passed)
            await transaction.CommitAsync(ct);
        else
            await transaction.RollbackAsync(ct);
        return report;
    }

    /// <summary>The target business (made, not yet saved, when it is new), and which old emails other businesses already use.</summary>
    private static async Task<(Business Business, bool Created, HashSet<string> EmailsElsewhere)> FindBusinessAsync(TidingsDbContext db, TargetBusiness target, List<OldUser> oldUsers, CancellationToken ct)
    {
        using var scope = await db.BeginPlatformScopeAsync(Actor, ct);
        var businesses = db.AcrossBusinesses<Business>().AsNoTracking();
        var business = target switch
        {
            TargetBusiness.WithId(var id) => await businesses.SingleOrDefaultAsync(b => b.Id == id, ct),
            TargetBusiness.WithSlug(var slug) => await businesses.SingleOrDefaultAsync(b => b.Slug == slug, ct),
            TargetBusiness.New(var name) => await NewBusinessAsync(businesses, name.Trim(), ct),
            _ => throw new System.Diagnostics.UnreachableException(),
        } ?? throw new VerbFailedException($"{target}: no business has that {(target is TargetBusiness.WithId ? "id" : "slug")}; nothing was written.");
        var created = target is TargetBusiness.New;
        var emails = oldUsers.Select(u => Text(u.Email)).OfType<string>().Select(User.Normalize).ToList();
        var elsewhere = await db.AcrossBusinesses<User>()
            .Where(u => u.BusinessId != business.Id && emails.Contains(u.NormalizedEmail))
            .Select(u => u.NormalizedEmail).ToListAsync(ct);
        db.ChangeTracker.Clear();
        return (business, created, elsewhere.ToHashSet());
    }

    /// <summary>
    /// A business that shares neither name nor slug with any other: a create that matched one would be an
    /// import into whoever holds that name, and its plain slug is what the operator will expect to find it by.
    /// </summary>
    private static async Task<Business> NewBusinessAsync(IQueryable<Business> businesses, string name, CancellationToken ct)
    {
        var slug = Business.SlugFrom(name);
        var lowered = name.ToLowerInvariant();
        var taken = await businesses.Where(b => b.Name.ToLower() == lowered || b.Slug == slug).Select(b => new { b.Id, b.Slug }).FirstOrDefaultAsync(ct);
        if (taken is not null)
            throw new VerbFailedException($"--create-business \"{name}\": business {taken.Id} (slug {taken.Slug}) already has that name or slug, and creating never reuses one; " +
                                          $"choose another name, or, if that business is the right one, import into it with --business-id {taken.Id}.");
        return new Business { Name = name, Slug = slug };
    }

    /// <summary>One run's state: what is already there, what is being written, and the report.</summary>
    private sealed class Run(TidingsDbContext db, LegacyImportReport report, Guid businessId, DateTime now, string sourceName, HashSet<string> emailsElsewhere)
    {
        private readonly Dictionary<(string Table, long OldId), Guid> _mapped = [];
        private readonly List<User> _people = [];
        // Old full names of old users merged into existing accounts: account_owner still says them.
        private readonly List<(string Key, User User)> _oldNames = [];
        private readonly HashSet<Guid> _oldAccounts = [];
        /// <summary>The original of each story: a story is one client's (Stories), so the same article for two clients is two.</summary>
        private readonly Dictionary<(Guid ClientId, string Hash), Guid> _firstByHash = [];
        private readonly Dictionary<Guid, Guid?> _clientOwners = [];
        private readonly HashSet<string> _emailsTaken = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _batches = new(StringComparer.Ordinal);

        private Batch _pending = new();

        /// <summary>Rows gathered and not yet written.</summary>
        private sealed class Batch
        {
            public List<User> Users { get; } = [];
            public List<Client> Clients { get; } = [];
            public List<Event> Events { get; } = [];
            public List<EventUserInteraction> Interactions { get; } = [];
            public List<LegacyIdMapping> Map { get; } = [];
            public List<LegacyValue> Kept { get; } = [];
        }

        public async Task LoadAsync(CancellationToken ct)
        {
            foreach (var m in await db.LegacyIdMap.AsNoTracking().ToListAsync(ct))
                _mapped[(m.TableName, m.OldId)] = m.NewId;
            var live = await db.Users.AsNoTracking().ToListAsync(ct);
            _people.AddRange(live);
            _emailsTaken.UnionWith(live.Select(u => u.NormalizedEmail));
            _oldAccounts.UnionWith(_mapped.Where(m => m.Key.Table == "users").Select(m => m.Value));
            foreach (var c in await db.Clients.IgnoreQueryFilters([SoftDeleteRules.Filter]).AsNoTracking().Select(c => new { c.Id, c.AssignedToUserId }).ToListAsync(ct))
                _clientOwners[c.Id] = c.AssignedToUserId;
            foreach (var e in await db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).AsNoTracking()
                         .Where(e => e.ContentHash != null && e.DuplicateOfEventId == null)
                         .OrderBy(e => e.Id).Select(e => new { e.Id, e.ClientId, e.ContentHash }).ToListAsync(ct))
                _firstByHash.TryAdd((e.ClientId, e.ContentHash!), e.Id);
        }

        /// <summary>Old users become users of the business; returns the owner, who gets flags nobody else can.</summary>
        public Guid? ImportUsers(List<OldUser> oldUsers, string? adminEmail)
        {
            var owner = adminEmail is null
                ? oldUsers.FirstOrDefault(u => Boolean(u.IsActive).Value)
                : oldUsers.FirstOrDefault(u => Text(u.Email) is { } e && User.Normalize(e) == User.Normalize(adminEmail))
                  ?? throw new VerbFailedException($"--admin-email {adminEmail}: no user of the old file has that email.");
            if (adminEmail is not null && !Boolean(owner!.IsActive).Value)
                throw new VerbFailedException($"--admin-email {adminEmail}: that user is inactive in the old file; name an active one.");
            report.OwnerEmail = owner is null ? null : Text(owner.Email);
            report.OwnerChosenBy = adminEmail is not null ? "--admin-email"
                : owner is not null ? "the first active old user (no --admin-email given)"
                : "nobody: the old file has no active user";

            var counts = report.Table("users");
            Guid? ownerId = null;
            foreach (var old in oldUsers)
            {
                counts.Read++;
                var isOwner = ReferenceEquals(old, owner);
                if (_mapped.TryGetValue(("users", old.Id), out var existing))
                {
                    counts.AlreadyImported++;
                    ownerId = isOwner ? existing : ownerId;
                    continue;
                }
                var email = Text(old.Email);
                var sameEmail = email is null ? null : _people.FirstOrDefault(p => p.NormalizedEmail == User.Normalize(email) && !_pending.Users.Contains(p));
                if (sameEmail is not null)
                {
                    // The person already has an account in this business (say, the one who signed up): the old rows become theirs.
                    Map("users", old.Id, sameEmail.Id);
                    _oldAccounts.Add(sameEmail.Id);
                    if (Text(old.FullName) is { } oldName && !string.IsNullOrWhiteSpace(oldName))
                        _oldNames.Add((PersonKey(oldName), sameEmail));
                    // The account keeps its own values; the old ones stay readable (and verifiable) beside it.
                    Keep("users", sameEmail.Id, old.Id, "email", email, "merged_with_existing_user", null);
                    Keep("users", sameEmail.Id, old.Id, "full_name", Text(old.FullName), "merged_with_existing_user", null);
                    Keep("users", sameEmail.Id, old.Id, "is_active", Text(old.IsActive), "merged_with_existing_user", null);
                    Keep("users", sameEmail.Id, old.Id, "created_at", Text(old.CreatedAt), "merged_with_existing_user", null);
                    ownerId = isOwner ? sameEmail.Id : ownerId;
                    report.Note("merged_with_existing_user", "old user matched an existing account of the business by email; that account keeps its password and role",
                        new() { ["oldId"] = Id(old.Id), ["email"] = email });
                    continue;
                }

                NoteBlobs("users", old.Id, old);
                var user = new User { BusinessId = businessId, Email = "", DisplayName = "", CreatedAt = now, UpdatedAt = now };
                user.Email = UsableEmail(user.Id, old.Id, email);
                var fullName = Text(old.FullName);
                if (string.IsNullOrWhiteSpace(fullName))
                {
                    user.DisplayName = Limit(user.Email, 200);
                    Keep("users", user.Id, old.Id, "full_name", fullName, "missing_value", "no full name: the email stands in as the display name");
                }
                else
                    user.DisplayName = Limited("users", user.Id, old.Id, "full_name", fullName, 200);
                user.PasswordHash = Text(old.HashedPassword) switch
                {
                    null => null,
                    var hash when Passwords.IsLegacyBcrypt(hash) => hash,
                    _ => WithheldPassword(user.Id, old),
                };
                var active = Boolean(old.IsActive);
                user.IsActive = active.Value;
                NoteOddFlag("users", user.Id, old.Id, "is_active", old.IsActive, active);
                user.CreatedAt = user.UpdatedAt = Time("users", user.Id, old.Id, "created_at", old.CreatedAt, required: true) ?? now;
                user.Role = isOwner ? UserRoles.Owner : UserRoles.Member;
                ownerId = isOwner ? user.Id : ownerId;
                _pending.Users.Add(user);
                _people.Add(user);
                _oldAccounts.Add(user.Id);
                Map("users", old.Id, user.Id);
                counts.Written++;
            }
            return ownerId;
        }

        /// <summary>
        /// A password value no sign-in can use is not kept: it may be a password in clear (or a weak hash of
        /// one) that admins would read at /api/legacy-values. Only that it was there and its shape are.
        /// </summary>
        private string? WithheldPassword(Guid userId, OldUser old)
        {
            var shape = PasswordShape(old.HashedPassword);
            Keep("users", userId, old.Id, "hashed_password", $"withheld: {shape}", "unusable_password", null);
            report.Note("unusable_password", "not a bcrypt hash: the user cannot sign in until an admin sets a password; the value is not kept, only its shape",
                new() { ["table"] = "users", ["oldId"] = Id(old.Id), ["column"] = "hashed_password", ["shape"] = shape });
            return null;
        }

        private string UsableEmail(Guid userId, long oldId, string? email)
        {
            string? problem = email switch
            {
                null => "no email",
                _ when string.IsNullOrWhiteSpace(email) => "empty email",
                { Length: > 320 } => "email longer than 320 characters",
                _ when !email.Contains('@') => "not an email address",
                _ when emailsElsewhere.Contains(User.Normalize(email)) => "email already used by a user of another business",
                _ when _emailsTaken.Contains(User.Normalize(email)) => "email used twice in the old file (ignoring case)",
                _ => null,
            };
            if (problem is null)
            {
                _emailsTaken.Add(User.Normalize(email!));
                return email!;
            }
            var generated = $"legacy-user-{oldId}.{userId:N}@legacy-import.invalid";
            Keep("users", userId, oldId, "email", email, "email_conflict", $"{problem}: the user got a stand-in address and cannot sign in with the old one");
            _emailsTaken.Add(User.Normalize(generated));
            return generated;
        }

        public void ImportClients(List<OldClient> oldClients)
        {
            var counts = report.Table("clients");
            foreach (var old in oldClients)
            {
                counts.Read++;
                if (_mapped.ContainsKey(("clients", old.Id)))
                {
                    counts.AlreadyImported++;
                    continue;
                }
                NoteBlobs("clients", old.Id, old);
                var client = new Client { BusinessId = businessId, Name = "" };
                var id = client.Id;
                client.Name = Text(old.Name) is { } name
                    ? Limited("clients", id, old.Id, "name", name, 200)
                    : KeepAs("clients", id, old.Id, "name", null, "missing_value", "no name", $"Client #{old.Id}");
                client.Domain = Limited("clients", id, old.Id, "domain", Text(old.Domain), 200);
                client.Industry = Limited("clients", id, old.Id, "industry", Text(old.Industry), 100);
                client.Description = Text(old.Description);
                var (keywords, asMeant) = Keywords(old.SearchKeywords);
                client.SearchKeywords = keywords;
                if (!asMeant)
                    Keep("clients", id, old.Id, "search_keywords", Text(old.SearchKeywords), "reshaped_keywords", "keywords not stored as a JSON array of strings: made into one");
                var active = Boolean(old.IsActive);
                client.IsActive = active.Value;
                NoteOddFlag("clients", id, old.Id, "is_active", old.IsActive, active);
                client.Tier = Limited("clients", id, old.Id, "tier", Text(old.Tier), 50);
                client.HealthScore = InRange("clients", id, old.Id, "health_score", old.HealthScore, 0, 100);
                client.Notes = Text(old.Notes);
                client.CreatedAt = Time("clients", id, old.Id, "created_at", old.CreatedAt, required: true) ?? now;
                client.UpdatedAt = Time("clients", id, old.Id, "updated_at", old.UpdatedAt, required: true) ?? now;
                client.LastCheckedAt = Time("clients", id, old.Id, "last_checked_at", old.LastCheckedAt, required: false);
                client.AssignedToUserId = Owner(client, old);
                _clientOwners[id] = client.AssignedToUserId;
                _pending.Clients.Add(client);
                Map("clients", old.Id, id);
                counts.Written++;
            }
        }

        /// <summary>account_owner (free text) as a user: matched by email or name, nobody for a placeholder, else a new inactive person.</summary>
        private Guid? Owner(Client client, OldClient old)
        {
            var text = Text(old.AccountOwner);
            if (text is null)
                return null;
            var key = PersonKey(text);
            string decision;
            User? user = null;
            if (IsPlaceholder(text))
            {
                decision = "placeholder: no owner";
                report.Note("placeholder_owner", "account_owner was a placeholder word or empty: the client has no owner", new() { ["clientOldId"] = Id(old.Id), ["accountOwner"] = text });
            }
            else if ((user = _people.FirstOrDefault(p => PersonKey(p.Email) == key)
                             ?? _people.FirstOrDefault(p => PersonKey(p.DisplayName) == key)
                             ?? _oldNames.FirstOrDefault(n => n.Key == key).User) is not null)
                decision = PersonKey(user.Email) == key ? "matched by email" : "matched by name";
            else
            {
                user = new User
                {
                    BusinessId = businessId,
                    Email = "",
                    DisplayName = Limit(CollapseSpaces(text), 200),
                    Role = UserRoles.Viewer,
                    IsActive = false,
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                user.Email = text.Contains('@') && text.Length <= 320 && !text.Any(char.IsWhiteSpace)
                             && !emailsElsewhere.Contains(User.Normalize(text)) && _emailsTaken.Add(User.Normalize(text))
                    ? text
                    : $"legacy-owner.{user.Id:N}@legacy-import.invalid";
                _pending.Users.Add(user);
                _people.Add(user);
                report.Table("users (owners without an account)").Written++;
                decision = "no such user: created as an inactive person without sign-in";
                report.Note("unmatched_owner", "account_owner named nobody with an account: kept as an inactive user without sign-in, so the ownership is not lost",
                    new() { ["clientOldId"] = Id(old.Id), ["accountOwner"] = text, ["newUserEmail"] = user.Email });
            }
            if (user is null || text != user.DisplayName)
                Keep("clients", client.Id, old.Id, "account_owner", text, "account_owner_text", null);
            report.Owners.Add(new OwnerDecision(old.Id, text, decision, user?.Email));
            return user?.Id;
        }

        /// <summary>Events whose client was hard-deleted stay, under an inactive client named after the missing id.</summary>
        public async Task AddPlaceholderClientsAsync(IReadOnlyList<long> missingKeys, CancellationToken ct)
        {
            foreach (var key in missingKeys)
            {
                if (_mapped.ContainsKey(("missing_clients", key)))
                    continue;
                var client = new Client
                {
                    BusinessId = businessId,
                    Name = key == 0 ? "Missing client (no id)" : $"Missing client #{key}",
                    Description = "Stands in for a client the old app deleted (or never had), so its events were kept.",
                    IsActive = false,
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                _pending.Clients.Add(client);
                _clientOwners[client.Id] = null;
                Map("missing_clients", key, client.Id);
                report.Table("clients (placeholders for missing clients)").Written++;
            }
            await FlushAsync(ct);
        }

        public async Task ImportEventsAsync(LegacySource source, Guid? admin, IProgress<LegacyProgress>? progress, CancellationToken ct)
        {
            var counts = report.Table("events");
            var total = await source.EventCountAsync(ct);
            // One batch is written while the next is read and transformed: the database and this process each
            // keep a core busy. The context serves one statement at a time, so only one batch is ever in flight.
            var writing = Task.CompletedTask;
            try
            {
                await foreach (var old in source.EventsAsync(ct))
                {
                    counts.Read++;
                    if (_mapped.ContainsKey(("events", old.Id)))
                        counts.AlreadyImported++;
                    else
                    {
                        ImportEvent(old, admin);
                        counts.Written++;
                    }
                    if (_pending.Events.Count >= BatchSize)
                    {
                        await writing;
                        var batch = TakeBatch();
                        // On a thread of its own: SQLite's async calls run synchronously and would not overlap otherwise.
                        writing = Task.Run(() => WriteAsync(batch, ct), ct);
                    }
                    if (counts.Read % 10_000 == 0)
                        progress?.Report(new LegacyProgress("importing events", counts.Read, total));
                }
                await writing;
            }
            finally
            {
                // A failure while reading must not leave a write running into the transaction being rolled back.
                await writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            await FlushAsync(ct);
            progress?.Report(new LegacyProgress("importing events", counts.Read, total));
        }

        private void ImportEvent(OldEvent old, Guid? admin)
        {
            NoteBlobs("events", old.Id, old);
            var e = new Event { BusinessId = businessId, Title = "", Category = "" };
            var id = e.Id;
            if (old.ClientId is long clientOldId && _mapped.TryGetValue(("clients", clientOldId), out var clientId))
                e.ClientId = clientId;
            else
            {
                var key = old.ClientId as long? ?? 0;
                e.ClientId = _mapped[("missing_clients", key)];
                if (old.ClientId is not long)
                    Keep("events", id, old.Id, "client_id", Text(old.ClientId), "unusable_id", null);
                report.Note("orphan_event", "the event's client no longer exists: kept under an inactive placeholder client",
                    new() { ["oldId"] = Id(old.Id), ["clientId"] = Text(old.ClientId), ["title"] = Text(old.Title) });
            }
            e.Title = Text(old.Title) is { } title
                ? Limited("events", id, old.Id, "title", title, 500)
                : KeepAs("events", id, old.Id, "title", null, "missing_value", "no title", "(untitled)");
            e.Description = Text(old.Description);
            e.Url = Limited("events", id, old.Id, "url", Text(old.Url), 1000);
            e.Source = Limited("events", id, old.Id, "source", Text(old.Source), 200);
            var (category, shape) = Category(old.Category);
            e.Category = shape switch
            {
                CategoryShape.AsMeant => category,
                CategoryShape.Normalised => KeepAs("events", id, old.Id, "category", Text(old.Category), "normalised_category", $"spelling outside the old list, clearly \"{category}\"", category),
                _ => NoteUnknownCategory(id, old, category),
            };
            e.RelevanceScore = InRange("events", id, old.Id, "relevance_score", old.RelevanceScore, 0, 1, Event.DefaultRelevanceScore) ?? Event.DefaultRelevanceScore;
            e.SentimentScore = InRange("events", id, old.Id, "sentiment_score", old.SentimentScore, -1, 1);
            var eventDate = Time("events", id, old.Id, "event_date", old.EventDate, required: true);
            var discoveredAt = Time("events", id, old.Id, "discovered_at", old.DiscoveredAt, required: true);
            e.EventDate = eventDate ?? discoveredAt ?? now;
            e.DiscoveredAt = discoveredAt ?? eventDate ?? now;
            e.CreatedAt = e.UpdatedAt = e.DiscoveredAt;
            e.ContentHash = ContentHash.Of(e.Url, e.Title, e.ClientId);
            if (_firstByHash.TryGetValue((e.ClientId, e.ContentHash), out var first))
            {
                e.DuplicateOfEventId = first;
                report.Note("duplicate_event", "the same story stored twice: kept, marked duplicate_of the first", new() { ["oldId"] = Id(old.Id), ["title"] = e.Title });
            }
            else
                _firstByHash[(e.ClientId, e.ContentHash)] = id;

            var read = Boolean(old.IsRead);
            var starred = Boolean(old.IsStarred);
            NoteOddFlag("events", id, old.Id, "is_read", old.IsRead, read);
            NoteOddFlag("events", id, old.Id, "is_starred", old.IsStarred, starred);
            if (read.Value || starred.Value)
            {
                // The shared flags were most likely set by the person who looks after the client.
                var person = _clientOwners[e.ClientId] is { } owner && _oldAccounts.Contains(owner) ? owner
                    : admin ?? throw new VerbFailedException("the old file has read or starred events but no active user to carry them: pass --admin-email.");
                _pending.Interactions.Add(new EventUserInteraction
                {
                    BusinessId = businessId,
                    EventId = id,
                    UserId = person,
                    IsRead = read.Value,
                    ReadAt = read.At,
                    IsStarred = starred.Value,
                    StarredAt = starred.At,
                    CreatedAt = now,
                    UpdatedAt = now,
                });
                report.Table("event_user_interactions").Written++;
            }
            _pending.Events.Add(e);
            Map("events", old.Id, id);
        }

        private string NoteUnknownCategory(Guid id, OldEvent old, string category)
        {
            report.Note("unknown_category", "a category outside the old list with no clear meaning: kept as written",
                new() { ["oldId"] = Id(old.Id), ["category"] = Text(old.Category) });
            return old.Category is null
                ? KeepAs("events", id, old.Id, "category", null, "missing_value", "no category", "other")
                : Limited("events", id, old.Id, "category", category, 50);
        }

        /// <summary>Writes what has been gathered, each table as a bulk insert with one audit entry.</summary>
        public Task FlushAsync(CancellationToken ct) => WriteAsync(TakeBatch(), ct);

        private Batch TakeBatch()
        {
            var batch = _pending;
            _pending = new Batch();
            return batch;
        }

        private async Task WriteAsync(Batch batch, CancellationToken ct)
        {
            await WriteAsync(batch.Users, "users", ct);
            await WriteAsync(batch.Clients, "clients", ct);
            await WriteAsync(batch.Events, "events", ct);
            await WriteAsync(batch.Interactions, "event_user_interactions", ct);
            await WriteAsync(batch.Map, "legacy_id_map", ct);
            await WriteAsync(batch.Kept, "legacy_values", ct);
            await db.SaveChangesAsync(ct);
        }

        /// <summary>
        /// Citus refuses an ANALYZE of a reference table inside a transaction that has read one of its copies on the
        /// coordinator, and a reference table's foreign keys are checked on each copy by its few rows (users).
        /// </summary>
        private async Task<bool> IsCitusReferenceTableAsync(string table, CancellationToken ct) =>
            Data.Postgres.CitusPlacement.Tables[table].Kind == Data.Postgres.CitusTableKind.Reference
            && await Data.Postgres.CitusPlacement.InstalledAsync(db.Database.GetDbConnection(), db.Database.CurrentTransaction?.GetDbTransaction(), ct);

        private async Task WriteAsync<T>(List<T> rows, string table, CancellationToken ct) where T : class
        {
            if (rows.Count == 0)
                return;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await BulkInsert.WriteAsync(db, rows, ct);
            report.Time("writing", started);
            var batch = _batches[table] = _batches.GetValueOrDefault(table) + 1;
            if (batch == 1 && db.Database.IsNpgsql() && !await IsCitusReferenceTableAsync(table, ct))
            {
                // Rows this transaction wrote have no statistics yet; without them PostgreSQL checks each later
                // foreign key by walking all the business's rows through the wrong index. ANALYZE counts our own rows.
#pragma warning disable EF1002 // the table name is one of ours, not input
                await db.Database.ExecuteSqlRawAsync($"ANALYZE {table}", ct);
#pragma warning restore EF1002
            }
            db.AuditLogs.Add(new AuditLog
            {
                BusinessId = businessId,
                ActorName = db.Actor.Name,
                TableName = table,
                RecordId = $"import batch {batch}",
                Action = AuditActions.Import,
                NewValues = JsonSerializer.Serialize(new { source = sourceName, batch, rows = rows.Count }),
                CreatedAt = now,
            });
            rows.Clear();
        }

        private void Map(string table, long oldId, Guid newId)
        {
            _mapped[(table, oldId)] = newId;
            _pending.Map.Add(new LegacyIdMapping { BusinessId = businessId, TableName = table, OldId = oldId, NewId = newId, CreatedAt = now });
        }

        private void Keep(string table, Guid recordId, long oldId, string column, string? original, string reason, string? description)
        {
            _pending.Kept.Add(new LegacyValue { BusinessId = businessId, TableName = table, RecordId = recordId, OldId = oldId, ColumnName = column, OriginalValue = original, Reason = reason, CreatedAt = now });
            if (description is not null)
                report.Note(reason, description, new() { ["table"] = table, ["oldId"] = Id(oldId), ["column"] = column, ["value"] = Example(original) });
        }

        private T KeepAs<T>(string table, Guid recordId, long oldId, string column, string? original, string reason, string description, T stored)
        {
            Keep(table, recordId, oldId, column, original, reason, description);
            return stored;
        }

        /// <summary>Text within the new column's limit; a longer value is cut to fit and kept whole.</summary>
        [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(text))]
        private string? Limited(string table, Guid recordId, long oldId, string column, string? text, int max) =>
            text is { Length: var length } && length > max
                ? KeepAs(table, recordId, oldId, column, text, "overlong_value", $"longer than the new column's {max} characters: cut to fit", Limit(text, max))
                : text;

        private static string Limit(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

        /// <summary>A number within the new column's range; anything else becomes the fallback and is kept.</summary>
        private double? InRange(string table, Guid recordId, long oldId, string column, object? value, double min, double max, double? fallback = null)
        {
            if (value is null && fallback is null)
                return null;
            var number = Number(value);
            if (number is { } d && d >= min && d <= max)
                return d;
            var (reason, what) = value is null ? ("missing_value", "no value")
                : number is null ? ("unparseable_number", "not a number")
                : ("out_of_range_value", $"outside {min}..{max}, not clamped");
            return KeepAs(table, recordId, oldId, column, Text(value), reason, $"{what}: {(fallback is null ? "left empty" : $"set to {fallback}")}", fallback);
        }

        /// <summary>A timestamp as UTC; one that cannot be read is kept and the row still goes in.</summary>
        private DateTime? Time(string table, Guid recordId, long oldId, string column, object? value, bool required)
        {
            if (value is null && !required)
                return null;
            if (Timestamp(value) is { } parsed)
                return parsed;
            Keep(table, recordId, oldId, column, Text(value), value is null ? "missing_value" : "unparseable_timestamp",
                value is null ? "no timestamp where one is required: a stand-in time is stored" : "not a timestamp of any known shape: a stand-in time is stored");
            return null;
        }

        private void NoteOddFlag(string table, Guid recordId, long oldId, string column, object? value, Flag flag)
        {
            if (!flag.Odd)
                return;
            Keep(table, recordId, oldId, column, Text(value), "odd_boolean",
                flag.Unreadable ? "neither true nor false: read as false" : $"not 0/1: read as {(flag.Value ? "true" : "false")}");
        }

        /// <summary>Binary values have no column of their own in the new schema: they travel as "base64:..." text, and the report says which.</summary>
        private void NoteBlobs<T>(string table, long oldId, T old) where T : notnull
        {
            foreach (var property in OldColumns<T>.Properties)
                if (property.GetValue(old) is byte[] blob)
                    report.Note("binary_value", "a binary (blob) value: carried as its base64 text, prefixed \"base64:\"",
                        new() { ["table"] = table, ["oldId"] = Id(oldId), ["column"] = System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name), ["bytes"] = Id(blob.Length) });
        }

        private static class OldColumns<T>
        {
            public static readonly System.Reflection.PropertyInfo[] Properties = typeof(T).GetProperties().Where(p => p.PropertyType == typeof(object)).ToArray();
        }

        private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

        private static string? Example(string? value) => value is { Length: > 120 } ? value[..120] + "…" : value;
    }
}
