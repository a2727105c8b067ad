using System.Text;
using Microsoft.AspNetCore.Identity;
using Tidings.Businesses;
using Tidings.Clients;
using Tidings.Data;
using Tidings.Events;
using Tidings.Interactions;
using Tidings.Monitoring;
using Tidings.Notifications;
using Tidings.Tags;
using Tidings.Users;

namespace Tidings.Demo;

/// <summary>Builds a small, plausible business through the data layer, so the demo obeys every rule a user's work does.</summary>
public sealed record DemoBusiness(Business Business, IReadOnlyList<User> Users, string Password, int Clients, int Events,
    int Tags, int Interactions, int Notifications)
{
    // Made-up companies on the reserved .example domain: a monitor serving the demo never reaches a real site.
    private static readonly (string Name, string Domain, string Industry, string Tier, int Health)[] Companies =
    [
        ("Northwind Traders", "northwindtraders.example", "Wholesale", "Enterprise", 82),
        ("Contoso Pharmaceuticals", "contoso-pharma.example", "Healthcare", "Enterprise", 64),
        ("Fabrikam Robotics", "fabrikam.example", "Manufacturing", "Mid-Market", 71),
        ("Tailspin Toys", "tailspintoys.example", "Retail", "SMB", 38),
        ("Litware Analytics", "litware.example", "Software", "Mid-Market", 77),
        ("Adatum Energy", "adatum-energy.example", "Energy", "Enterprise", 55),
        ("Wingtip Logistics", "wingtiplogistics.example", "Transport", "Mid-Market", 46),
        ("Coho Vineyard & Winery", "cohovineyard.example", "Food & Beverage", "SMB", 88),
        ("Alpine Ski House", "alpineskihouse.example", "Leisure", "SMB", 61),
        ("Trey Research", "treyresearch.example", "Biotech", "Mid-Market", 29),
    ];

    // Categories of the default taxonomy, as an event's sender must give them; {0} is the client's name.
    private static readonly (string Category, string? Subcategory, string Title, double Relevance)[] Happenings =
    [
        ("funding", null, "{0} raises $40M in a Series B led by Harbor Ventures", 0.9),
        ("funding", null, "{0} secures a $120M credit facility to fund growth", 0.75),
        ("acquisition", "acquirer", "{0} acquires a regional competitor for $85M", 0.9),
        ("acquisition", "target", "{0} in talks to be bought by a private equity firm", 0.95),
        ("leadership_change", null, "{0} names a new chief executive", 0.85),
        ("leadership_change", null, "{0}'s chief financial officer steps down", 0.7),
        ("layoffs", null, "{0} cuts 8% of its workforce in a restructuring", 0.85),
        ("product_launch", null, "{0} launches its next-generation platform", 0.55),
        ("product_launch", null, "{0} unveils a subscription service for small businesses", 0.45),
        ("partnership", null, "{0} signs a strategic partnership with a cloud provider", 0.5),
        ("contract_win", null, "{0} wins a five-year government contract", 0.65),
        ("expansion", null, "{0} opens a new office in Lisbon", 0.45),
        ("expansion", null, "{0} enters the Japanese market", 0.55),
        ("legal", null, "{0} faces a patent lawsuit over its core technology", 0.7),
        ("earnings", null, "{0} beats revenue estimates and raises its guidance", 0.6),
        ("earnings", null, "{0} reports a wider quarterly loss", 0.65),
        ("regulatory", null, "Regulator approves {0}'s new product line", 0.55),
        ("security_incident", null, "{0} investigates a data breach affecting customers", 0.9),
        ("award", null, "{0} named one of the best places to work", 0.2),
        ("other", null, "{0} shares climb after an analyst upgrade", 0.25),
    ];

    private static readonly string[] Publications = ["The Daily Ledger", "Market Wire", "Industry Today", "Tech Chronicle", "Press release"];

    /// <summary>The version a classifier run would leave on the events it labelled less surely than the business asks.</summary>
    public const string DemoClassifier = "demo-classifier-1";

    public static async Task<DemoBusiness> CreateAsync(TidingsDbContext db, CancellationToken ct)
    {
        var suffix = Guid.CreateVersion7().ToString("N")[^6..];
        var business = new Business { Name = $"Demo Company {suffix}", Slug = $"demo-{suffix}" };
        db.Tenant.Set(business.Id);
        db.Actor.SetSystem("demo");
        db.Businesses.Add(business);

        const string password = "demo-password";
        var hasher = new PasswordHasher<User>();
        var users = UserRoles.All.Select((role, i) =>
        {
            var user = new User { Email = $"{role}@{business.Slug}.example", DisplayName = $"Demo {char.ToUpperInvariant(role[0])}{role[1..]}", Role = role };
            user.PasswordHash = hasher.HashPassword(user, password);
            return user;
        }).ToList();
        db.Users.AddRange(users);
        db.Categories.AddRange(Categories.DefaultTaxonomy.NewCategories());
        await db.SaveChangesAsync(ct);
        db.Actor.SetUser(users[0].Id, business.Id, users[0].DisplayName);

        // A fixed seed: every demo has the same shape, dated from today.
        var random = new Random(16);
        var now = DateTime.UtcNow;
        var tags = new[] { ("Renewal risk", "#D9534F"), ("Upsell", "#5CB85C"), ("Watch", "#F0AD4E"), ("Key account", "#0B57D0"), ("Board pack", "#6F42C1") }
            .Select(t => new Tag { Name = t.Item1, Color = t.Item2 }).ToList();
        // One tag retired and one former client, deleted at the end: the trash has something in it.
        var retiredTag = new Tag { Name = "Q3 campaign", Color = "#888888" };
        db.Tags.AddRange([.. tags, retiredTag]);

        var clients = Companies.Select((c, i) => new Client
        {
            Name = c.Name, Domain = c.Domain, Industry = c.Industry, Tier = c.Tier,
            SearchKeywords = [c.Name, c.Domain],
            MonitoringFrequency = i % 2 == 0 ? MonitoringFrequencies.Daily : MonitoringFrequencies.Hourly,
            HealthScore = c.Health,
            AssignedToUserId = users[i % 3].Id,
        }).ToList();
        var former = new Client { Name = "Proseware Inc.", Domain = "proseware.example", Industry = "Software", Tier = "SMB", SearchKeywords = ["Proseware"] };
        db.Clients.AddRange([.. clients, former]);
        foreach (var (c, i) in clients.Select((c, i) => (c, i)))
        {
            db.ClientTags.Add(new ClientTag { ClientId = c.Id, TagId = tags[i % tags.Count].Id });
            if (i % 3 == 0)
                db.ClientTags.Add(new ClientTag { ClientId = c.Id, TagId = tags[(i + 2) % tags.Count].Id });
        }

        var sources = clients.SelectMany((c, i) => new[]
        {
            new Source
            {
                ClientId = c.Id, Kind = SourceKinds.Feed, Url = $"https://{c.Domain}/news", FeedUrl = $"https://{c.Domain}/news/feed.xml",
                Title = $"{c.Name} newsroom", Keep = KeepRules.All, LastFetchedAt = now.AddMinutes(-20 - i * 7), NextDueAt = now.AddMinutes(40 + i * 5),
            },
            new Source
            {
                ClientId = c.Id, Kind = SourceKinds.NewsSearch, Url = $"https://news.example/search?q={Uri.EscapeDataString(c.Name)}",
                Title = "News search", Keep = KeepRules.Mentions, LastFetchedAt = now.AddHours(-1), NextDueAt = now.AddHours(1),
            },
        }).ToList();
        // One source failing (retrying with back-off) and one stopped: what a monitor's sources look like after a while.
        sources[6].ConsecutiveFailures = 4;
        sources[6].LastError = "HTTP 503 Service Unavailable";
        sources[6].LastFetchedAt = now.AddHours(-9);
        sources[6].NextDueAt = now.AddHours(3);
        sources[12].ConsecutiveFailures = 10;
        sources[12].LastError = "The feed address answers 404 Not Found.";
        sources[12].StoppedAt = now.AddDays(-3);
        sources[12].StoppedReason = "Failed 10 times in a row.";
        db.Sources.AddRange(sources);

        // Busier clients first, dates over the last 90 days and more of them lately, so charts have a shape.
        var events = new List<Event>();
        foreach (var (c, ci) in clients.Select((c, i) => (c, i)))
        {
            var count = 14 - ci;
            for (var k = 0; k < count; k++)
            {
                var h = Happenings[random.Next(Happenings.Length)];
                var daysAgo = 90 * Math.Pow(random.NextDouble(), 1.4);
                var date = now.AddDays(-daysAgo).AddMinutes(-random.Next(0, 600));
                var source = Publications[random.Next(Publications.Length)];
                events.Add(new Event
                {
                    ClientId = c.Id,
                    Title = string.Format(System.Globalization.CultureInfo.InvariantCulture, h.Title, c.Name),
                    Description = $"{c.Name} ({c.Industry?.ToLowerInvariant()}): {Describe(h.Category)}",
                    Category = h.Category,
                    Subcategory = h.Subcategory,
                    Url = $"https://news.example/{c.Domain!.Split('.')[0]}/{h.Category.Replace('_', '-')}-{k}",
                    Source = source,
                    SourceType = source == "Press release" ? SourceTypes.PressRelease : SourceTypes.News,
                    RelevanceScore = Math.Round(Math.Clamp(h.Relevance + (random.NextDouble() - 0.5) * 0.2, 0.05, 0.99), 2),
                    EventDate = date,
                    DiscoveredAt = date.AddMinutes(random.Next(5, 240)),
                });
            }
        }
        // A few the classifier labelled less surely than the business's threshold: the "needs review" ones.
        foreach (var e in events.Where((_, i) => i % 17 == 5))
        {
            e.ClassifiedBy = DemoClassifier;
            e.ConfidenceScore = 0.42;
            e.ClassificationEvidence = "headline words: \"talks\", \"shares\"";
        }
        db.Events.AddRange(events);
        db.EventTags.AddRange(events.Where((_, i) => i % 6 == 0).Select((e, i) => new EventTag { EventId = e.Id, TagId = tags[i % tags.Count].Id }));

        // The owner has read most of what is older than a week and some of the rest; everyone stars a few, and notes some.
        var interactions = new List<EventUserInteraction>();
        foreach (var (e, i) in events.Select((e, i) => (e, i)))
        {
            foreach (var (user, u) in users.Select((user, u) => (user, u)))
            {
                var old = e.EventDate < now.AddDays(-7);
                var read = u == 0 ? (old ? random.NextDouble() < 0.85 : random.NextDouble() < 0.3) : random.NextDouble() < (old ? 0.4 : 0.1);
                var starred = random.NextDouble() < (u == 0 ? 0.12 : 0.04);
                var note = u == 0 && i % 19 == 3 ? Notes[i % Notes.Length] : null;
                if (!read && !starred && note is null)
                    continue;
                interactions.Add(new EventUserInteraction
                {
                    EventId = e.Id, UserId = user.Id,
                    IsRead = read, ReadAt = read ? e.DiscoveredAt.AddHours(random.Next(1, 48)) : null,
                    IsStarred = starred, StarredAt = starred ? e.DiscoveredAt.AddHours(2) : null,
                    UserNotes = note,
                });
            }
        }
        db.EventUserInteractions.AddRange(interactions);

        // What the monitor would have told each client's account manager about its most relevant news; older ones read.
        var notifications = events.Where(e => e.RelevanceScore >= business.NotificationRelevanceThreshold).Select(e => new Notification
        {
            UserId = clients.Single(c => c.Id == e.ClientId).AssignedToUserId!.Value,
            Type = NotificationTypes.HighRelevanceEvent,
            Title = "High-relevance event",
            Message = e.Title,
            RelatedEventId = e.Id,
            RelatedClientId = e.ClientId,
            IsRead = e.EventDate < now.AddDays(-14),
            ReadAt = e.EventDate < now.AddDays(-14) ? e.DiscoveredAt.AddHours(3) : null,
        }).ToList();
        notifications.Add(new Notification
        {
            UserId = users[0].Id, Type = NotificationTypes.SourceStopped, Title = "A source stopped",
            Message = $"{clients[6].Name} newsroom stopped after failing 10 times in a row.", RelatedClientId = clients[6].Id,
        });
        db.Notifications.AddRange(notifications);
        await db.SaveChangesAsync(ct);

        db.Clients.Remove(former);
        db.Tags.Remove(retiredTag);
        await db.SaveChangesAsync(ct);

        return new DemoBusiness(business, users, password, clients.Count + 1, events.Count, tags.Count + 1, interactions.Count, notifications.Count);
    }

    private static readonly string[] Notes =
    [
        "Raise at the quarterly review.",
        "Check with legal before the renewal call.",
        "Good opening for the analytics upsell.",
        "Forwarded to the account team.",
    ];

    private static string Describe(string category) => category switch
    {
        "funding" => "new money to spend on growth, and often on new suppliers.",
        "acquisition" => "a change of ownership that can move budgets and decision makers.",
        "leadership_change" => "new leaders review their suppliers in their first months.",
        "layoffs" => "cost cutting that puts contracts under review.",
        "earnings" => "the latest results and what they say about next year.",
        "security_incident" => "an incident that may touch the systems we provide.",
        _ => "news worth knowing before the next conversation.",
    };

    public string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine($"Created demo business \"{Business.Name}\" (slug {Business.Slug}, id {Business.Id})");
        text.AppendLine($"  users ({Users.Count}), password \"{Password}\":");
        foreach (var user in Users)
            text.AppendLine($"    {user.Role,-7} {user.Email}");
        text.AppendLine($"  clients: {Clients}, events: {Events}, tags: {Tags}, interactions: {Interactions}, notifications: {Notifications}");
        return text.ToString();
    }
}
