using System.Text;
using Microsoft.AspNetCore.Identity;
using Tidings.Businesses;
using Tidings.Clients;
using Tidings.Data;
using Tidings.Events;
using Tidings.Interactions;
using Tidings.Notifications;
using Tidings.Tags;
using Tidings.Users;

namespace Tidings.Demo;

/// <summary>Builds a small, plausible business through the data layer, so the demo obeys every rule a user's work does.</summary>
public sealed record DemoBusiness(Business Business, IReadOnlyList<User> Users, string Password, int Clients, int Events,
    int Tags, int Interactions, int Notifications)
{
    private static readonly (string Name, string Domain, string Industry, string Tier)[] Companies =
    [
        ("Northwind Traders", "northwind.example", "Wholesale", "Enterprise"),
        ("Contoso Pharmaceuticals", "contoso.example", "Healthcare", "Enterprise"),
        ("Fabrikam Robotics", "fabrikam.example", "Manufacturing", "Mid-Market"),
        ("Tailspin Toys", "tailspin.example", "Retail", "SMB"),
        ("Litware Analytics", "litware.example", "Software", "Mid-Market"),
    ];

    // Categories of the default taxonomy the demo business starts with, as an event's sender must give them.
    private static readonly (string Category, string Subcategory, string Title, double Relevance)[] Happenings =
    [
        ("funding", "series_b", "{0} raises $40M Series B", 0.9),
        ("acquisition", "acquirer", "{0} acquires a regional competitor", 0.85),
        ("leadership_change", "new_ceo", "{0} names a new chief executive", 0.8),
        ("layoffs", "reduction", "{0} cuts 8% of its workforce", 0.75),
        ("product_launch", "platform", "{0} launches its next-generation platform", 0.6),
        ("legal", "patent", "{0} faces a patent lawsuit", 0.7),
        ("partnership", "strategic", "{0} signs a strategic partnership", 0.5),
        ("expansion", "new_office", "{0} opens a new office in Lisbon", 0.4),
    ];

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

        var tags = new[] { ("Renewal risk", "#D9534F"), ("Upsell", "#5CB85C"), ("Watch", "#F0AD4E") }
            .Select(t => new Tag { Name = t.Item1, Color = t.Item2 }).ToList();
        db.Tags.AddRange(tags);

        var now = DateTime.UtcNow;
        var clients = Companies.Select((c, i) => new Client
        {
            Name = c.Name, Domain = c.Domain, Industry = c.Industry, Tier = c.Tier,
            SearchKeywords = [c.Name, c.Domain],
            MonitoringFrequency = i % 2 == 0 ? MonitoringFrequencies.Daily : MonitoringFrequencies.Hourly,
            HealthScore = 55 + i * 9,
            AssignedToUserId = users[i % 3].Id,
        }).ToList();
        db.Clients.AddRange(clients);
        db.ClientTags.AddRange(clients.Select((c, i) => new ClientTag { ClientId = c.Id, TagId = tags[i % tags.Count].Id }));

        var events = clients.SelectMany((c, ci) => Happenings.Take(4 + ci % 3).Select((h, hi) => new Event
        {
            ClientId = c.Id,
            Title = string.Format(h.Title, c.Name),
            Category = h.Category,
            Subcategory = h.Subcategory,
            Url = $"https://news.example/{c.Domain}/{h.Category}",
            Source = "Demo Wire",
            SourceType = "news",
            RelevanceScore = h.Relevance,
            EventDate = now.AddDays(-(ci * 7 + hi * 3)),
        })).ToList();
        db.Events.AddRange(events);
        db.EventTags.AddRange(events.Where((_, i) => i % 5 == 0).Select((e, i) => new EventTag { EventId = e.Id, TagId = tags[i % tags.Count].Id }));

        var interactions = events.Where((_, i) => i % 2 == 0).Select((e, i) => new EventUserInteraction
        {
            EventId = e.Id, UserId = users[i % users.Count].Id,
            IsRead = true, ReadAt = now, IsStarred = i % 3 == 0, StarredAt = i % 3 == 0 ? now : null,
        }).ToList();
        db.EventUserInteractions.AddRange(interactions);

        var notifications = events.Where(e => e.RelevanceScore >= business.NotificationRelevanceThreshold).Select(e => new Notification
        {
            UserId = clients.Single(c => c.Id == e.ClientId).AssignedToUserId!.Value,
            Type = NotificationTypes.HighRelevanceEvent,
            Title = "High-relevance event",
            Message = e.Title,
            RelatedEventId = e.Id,
            RelatedClientId = e.ClientId,
        }).ToList();
        db.Notifications.AddRange(notifications);
        await db.SaveChangesAsync(ct);

        return new DemoBusiness(business, users, password, clients.Count, events.Count, tags.Count, interactions.Count, notifications.Count);
    }

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
