using Tidings.Businesses;
using Tidings.Categories;
using Tidings.Clients;
using Tidings.Data;
using Tidings.Events;
using Tidings.Interactions;
using Tidings.Tags;
using Tidings.Users;

namespace Tidings.Bench.Dataset;

/// <summary>The rows of one business other than its events, which come in chunks after them.</summary>
public sealed record BusinessRows(Business Business, List<User> Users, List<Category> Categories, List<Client> Clients, List<Tag> Tags, List<ClientTag> ClientTags);

/// <summary>A chunk of one business's events with the rows that hang on them.</summary>
public sealed record EventChunk(List<Event> Events, List<EventUserInteraction> Interactions, List<EventTag> EventTags);

/// <summary>
/// One generated business, as the benchmarks need to know it: who reads its feed (the principal, an owner
/// who has read most older events), its busiest client and its most common category.
/// </summary>
public sealed record GeneratedBusiness(
    Guid Id, string Name, int Events, Guid PrincipalUserId, string PrincipalEmail, Guid BusiestClientId,
    string CommonCategory, IReadOnlyList<Guid> LiveClientIds, IReadOnlyList<Guid> MemberUserIds);

/// <summary>
/// Deterministic rows for a <see cref="DatasetShape"/>: the same shape and seed give the same businesses,
/// names, dates, scores and reading history (ids are fresh time-ordered v7 Guids each run). Events are made
/// in chunks, so ten million never sit in memory at once.
/// </summary>
public sealed class DatasetGenerator(DatasetShape shape, DateTime now)
{
    public const string Password = "bench-password-1";
    public const int ChunkSize = 20_000;

    // Share of events per category, roughly what a news classifier sees.
    private static readonly (string Category, double Weight)[] Categories =
    [
        ("product_launch", 20), ("funding", 15), ("partnership", 15), ("earnings", 10), ("leadership_change", 10),
        ("expansion", 10), ("acquisition", 6), ("layoffs", 5), ("other", 5), ("legal", 4),
    ];

    private static readonly string[] Sources = ["TechCrunch", "Reuters", "Bloomberg", "Company blog", "PR Newswire", "LinkedIn"];
    private static readonly string[] Industries = ["Software", "Fintech", "Healthcare", "Retail", "Logistics", "Energy", "Media"];
    private static readonly string[] Tiers = ["enterprise", "mid-market", "smb"];
    private static readonly string[] Colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];

    // One hash for every user: hashing is deliberately slow, and signing in is not what is measured.
    private static readonly string PasswordHash = Passwords.Hash(new User { Email = "bench@example.test", DisplayName = "bench" }, Password);

    /// <summary>The businesses' rows; <paramref name="eventChunks"/> then gives each one's events.</summary>
    public BusinessRows Business(int index, int events, out GeneratedBusiness summary)
    {
        var random = new Random(SeedOf(index, stream: 0));
        var created = now.AddDays(-DatasetShape.HistoryDays - 30);
        var name = index == 0 ? "Large Bench Business" : $"Bench Business {index:D4}";
        var business = new Business
        {
            Id = Guid.CreateVersion7(created), Name = name, Slug = $"bench-business-{index:D4}",
            CreatedAt = StoredTime.Of(created), UpdatedAt = StoredTime.Of(created),
        };
        var userCount = DatasetShape.UsersFor(events);
        var users = Enumerable.Range(0, userCount).Select(u => new User
        {
            Id = Guid.CreateVersion7(created.AddMinutes(u)),
            BusinessId = business.Id,
            Email = $"user{u}@business{index:D4}.bench.test",
            DisplayName = $"User {u} of {name}",
            Role = u == 0 ? UserRoles.Owner : u % 10 == 1 ? UserRoles.Admin : u % 5 == 2 ? UserRoles.Viewer : UserRoles.Member,
            PasswordHash = PasswordHash,
            CreatedAt = StoredTime.Of(created), UpdatedAt = StoredTime.Of(created),
            // A few people have left; the principal (user 0) never has.
            IsDeleted = u > 0 && random.NextDouble() < 0.02,
        }).ToList();
        foreach (var user in users.Where(u => u.IsDeleted))
            user.DeletedAt = StoredTime.Of(now.AddDays(-random.Next(1, 300)));
        var members = users.Where(u => !u.IsDeleted).ToList();

        // The taxonomy a business signs up with: events posted through the API must name one of its categories.
        var categories = DefaultTaxonomy.NewCategories();
        foreach (var category in categories)
        {
            category.BusinessId = business.Id;
            category.CreatedByUserId = users[0].Id;
            category.CreatedAt = category.UpdatedAt = StoredTime.Of(created);
        }

        var clients = Enumerable.Range(0, DatasetShape.ClientsFor(events)).Select(c => new Client
        {
            Id = Guid.CreateVersion7(created.AddSeconds(c)),
            BusinessId = business.Id,
            Name = $"Client {c:D4} of {index:D4}",
            Domain = $"client{c}.business{index:D4}.example",
            Industry = Industries[random.Next(Industries.Length)],
            Tier = Tiers[random.Next(Tiers.Length)],
            SearchKeywords = [$"client {c}", Industries[random.Next(Industries.Length)].ToLowerInvariant()],
            HealthScore = Math.Round(random.NextDouble(), 2),
            AssignedToUserId = random.NextDouble() < 0.9 ? members[random.Next(members.Count)].Id : null,
            CreatedByUserId = users[0].Id,
            CreatedAt = StoredTime.Of(created), UpdatedAt = StoredTime.Of(created),
            IsDeleted = random.NextDouble() < 0.01,
        }).ToList();
        foreach (var client in clients.Where(c => c.IsDeleted))
            client.DeletedAt = StoredTime.Of(now.AddDays(-random.Next(1, 300)));

        var tags = Enumerable.Range(0, DatasetShape.TagsPerBusiness).Select(t => new Tag
        {
            Id = Guid.CreateVersion7(created.AddMinutes(t)),
            BusinessId = business.Id,
            Name = $"tag-{t:D2}",
            Color = Colors[t % Colors.Length],
            CreatedByUserId = users[0].Id,
            CreatedAt = StoredTime.Of(created), UpdatedAt = StoredTime.Of(created),
            IsDeleted = t == DatasetShape.TagsPerBusiness - 1, // one tag in the trash
        }).ToList();
        var clientTags = clients.SelectMany(c => tags.Take(DatasetShape.TagsPerBusiness - 1).OrderBy(_ => random.Next()).Take(random.Next(3))
            .Select(t => new ClientTag { BusinessId = business.Id, ClientId = c.Id, TagId = t.Id, CreatedAt = StoredTime.Of(created), CreatedByUserId = users[0].Id }))
            .ToList();

        _state[index] = new BusinessState(business, users, members, clients, tags, ClientWeights(clients.Count, random));
        var liveClients = clients.Where(c => !c.IsDeleted).ToList();
        summary = new GeneratedBusiness(business.Id, name, events, users[0].Id, users[0].Email,
            liveClients[0].Id, Categories[0].Category, liveClients.Select(c => c.Id).ToList(), members.Select(u => u.Id).ToList());
        return new BusinessRows(business, users, categories, clients, tags, clientTags);
    }

    /// <summary>
    /// A seed per business and stream fixed across processes (HashCode.Combine is randomised per process,
    /// which would make the same shape give other data on every run).
    /// </summary>
    private int SeedOf(int index, int stream) => unchecked(shape.Seed * 1_000_003 + index * 2 + stream);

    private sealed record BusinessState(Business Business, List<User> Users, List<User> Members, List<Client> Clients, List<Tag> Tags, double[] ClientCumulative)
    {
        /// <summary>The latest event of each client, for duplicates of it.</summary>
        public Dictionary<Guid, Event> LastOfClient { get; } = [];
    }

    private readonly Dictionary<int, BusinessState> _state = [];

    /// <summary>Cumulative weights: client 0 is the busiest (the client-filter case), then a power-law tail.</summary>
    private static double[] ClientWeights(int count, Random random)
    {
        var cumulative = new double[count];
        var sum = 0.0;
        for (var i = 0; i < count; i++)
            cumulative[i] = sum += Math.Pow(i + 1, -0.5) * (0.8 + 0.4 * random.NextDouble());
        for (var i = 0; i < count; i++)
            cumulative[i] /= sum;
        return cumulative;
    }

    /// <summary>The business's events in chunks of <see cref="ChunkSize"/>, with interactions and tag links.</summary>
    public IEnumerable<EventChunk> EventChunks(int index, int events)
    {
        var state = _state[index];
        var random = new Random(SeedOf(index, stream: 1));
        var principal = state.Users[0];
        for (var done = 0; done < events; done += ChunkSize)
        {
            var chunk = new EventChunk([], [], []);
            for (var n = done; n < Math.Min(events, done + ChunkSize); n++)
                AddEvent(state, random, principal, n, chunk);
            yield return chunk;
        }
        _state.Remove(index);
    }

    private void AddEvent(BusinessState state, Random random, User principal, int n, EventChunk chunk)
    {
        var client = state.Clients[Pick(state.ClientCumulative, random.NextDouble())];
        var eventDate = StoredTime.Of(now.AddSeconds(-random.NextDouble() * DatasetShape.HistoryDays * 86_400));
        var discovered = StoredTime.Of(eventDate.AddMinutes(random.Next(5, 180)));
        var category = PickCategory(random.NextDouble());
        var ev = new Event
        {
            Id = Guid.CreateVersion7(discovered),
            BusinessId = state.Business.Id,
            ClientId = client.Id,
            Title = $"{client.Name}: {category.Replace('_', ' ')} news #{n}",
            Description = $"Generated story {n} about {client.Name} ({category}). " +
                "A paragraph of text as a news feed would carry it, long enough to give rows a realistic width on disk.",
            Url = $"https://news.example/{state.Business.Slug}/{n}",
            Source = Sources[random.Next(Sources.Length)],
            SourceType = "news",
            Category = category,
            Tags = random.NextDouble() < 0.5 ? [category, client.Industry!.ToLowerInvariant()] : null,
            RelevanceScore = Math.Round(random.NextDouble(), 3),
            SentimentScore = Math.Round(random.NextDouble() * 2 - 1, 3),
            ConfidenceScore = Math.Round(random.NextDouble(), 3),
            EventDate = eventDate,
            DiscoveredAt = discovered,
            CreatedAt = discovered,
            UpdatedAt = discovered,
        };
        if (random.NextDouble() < 0.02 && state.LastOfClient.TryGetValue(client.Id, out var original))
        {
            // Stored again by another source: same content, marked, kept out of the feed.
            ev.Title = original.Title;
            ev.Url = original.Url;
            ev.DuplicateOfEventId = original.Id;
        }
        ev.ContentHash = ContentHash.Of(ev.Url, ev.Title, ev.ClientId);
        if (random.NextDouble() < 0.01)
        {
            ev.IsDeleted = true;
            ev.DeletedAt = StoredTime.Of(discovered.AddDays(1));
            ev.DeletedByUserId = principal.Id;
        }
        if (ev.DuplicateOfEventId is null)
            state.LastOfClient[client.Id] = ev;
        chunk.Events.Add(ev);

        if (random.NextDouble() < 0.08)
            chunk.EventTags.Add(new EventTag
            {
                BusinessId = ev.BusinessId, EventId = ev.Id, TagId = state.Tags[random.Next(state.Tags.Count)].Id,
                CreatedAt = discovered, CreatedByUserId = principal.Id,
            });

        // The principal has read most of what is older than a month and some of what is newer; the client's
        // own account manager half of their clients' news. Starred stories are a few per hundred.
        var old = (now - eventDate).TotalDays > DatasetShape.ReadHorizonDays;
        AddInteraction(chunk, ev, principal.Id, random, old ? 0.9 : 0.25);
        if (client.AssignedToUserId is { } assigned && assigned != principal.Id)
            AddInteraction(chunk, ev, assigned, random, old ? 0.5 : 0.2);
    }

    private static void AddInteraction(EventChunk chunk, Event ev, Guid userId, Random random, double readChance)
    {
        var read = random.NextDouble() < readChance;
        var starred = random.NextDouble() < 0.02;
        if (!read && !starred)
            return;
        var at = StoredTime.Of(ev.DiscoveredAt.AddHours(random.Next(1, 72)));
        chunk.Interactions.Add(new EventUserInteraction
        {
            BusinessId = ev.BusinessId, EventId = ev.Id, UserId = userId,
            IsRead = read, ReadAt = read ? at : null,
            IsStarred = starred, StarredAt = starred ? at : null,
            UserNotes = starred && random.NextDouble() < 0.3 ? "Worth raising at the next review." : null,
            CreatedAt = at, UpdatedAt = at,
        });
    }

    private static int Pick(double[] cumulative, double x)
    {
        var i = Array.BinarySearch(cumulative, x);
        return Math.Min(i < 0 ? ~i : i, cumulative.Length - 1);
    }

    private static string PickCategory(double x)
    {
        var total = Categories.Sum(c => c.Weight);
        foreach (var (category, weight) in Categories)
        {
            x -= weight / total;
            if (x < 0)
                return category;
        }
        return Categories[^1].Category;
    }
}
