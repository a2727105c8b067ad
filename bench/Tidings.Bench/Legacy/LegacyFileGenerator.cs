using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Tidings.Bench.Legacy;

/// <summary>What a generated file holds, with how many rows of each messy kind were planted in it.</summary>
public sealed record LegacyFileContents(
    int Users,
    int Clients,
    int DeletedClients,
    int Events,
    int DuplicateEvents,
    int OrphanEvents,
    int OddTimestamps,
    int UnparseableTimestamps,
    int OddCategories,
    int OddKeywords,
    int OverlongTitles,
    int OutOfRangeRelevance);

/// <summary>
/// Writes an old-app SQLite file of any size: the legacy schema exactly, values mostly as SQLAlchemy
/// wrote them, and at small rates every messy shape the legacy README describes. The same event count
/// and seed always give the same file. Users' passwords are "bench-user-1" to "bench-user-20".
/// </summary>
public sealed class LegacyFileGenerator
{
    /// <summary>Bump when the output changes, so files cached by earlier runs are made again.</summary>
    public const int Version = 1;
    public const int DefaultSeed = 20240305;
    public const int UserCount = 20;

    /// <summary>About one client per 500 events, as a monitored account collects a few stories a week for years.</summary>
    public static int ClientCountFor(int events) => Math.Max(40, events / 500);

    private const double OddTimestampRate = 0.02;
    private const double UnparseableTimestampRate = 0.001;
    private const double OddCategoryRate = 0.01;
    private const double OddKeywordsRate = 0.01;
    private const double DuplicateRate = 0.03;
    private const double OrphanRate = 0.005;
    private const double OverlongTitleRate = 0.0001;
    private const double OutOfRangeRelevanceRate = 0.001;

    private static readonly DateTime FirstStory = new(2023, 1, 2, 0, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan StorySpan = TimeSpan.FromDays(900);

    private static readonly (string Name, string Email)[] People =
    [
        ("Sarah Chen", "sarah.chen@example.com"), ("Marcus O'Neill", "marcus.oneill@example.com"),
        ("Priya Raman", "priya.raman@example.com"), ("José Álvarez", "jose.alvarez@example.com"),
        ("Li Wei", "li.wei@example.com"), ("Hannah Schmidt", "hannah.schmidt@example.com"),
        ("Olu Adeyemi", "olu.adeyemi@example.com"), ("Emma Dubois", "emma.dubois@example.com"),
        ("Tom Becker", "tom.becker@example.com"), ("Aiko Tanaka", "aiko.tanaka@example.com"),
        ("Lars Nilsson", "lars.nilsson@example.com"), ("Fatima Khan", "fatima.khan@example.com"),
        ("Diego Torres", "diego.torres@example.com"), ("Grace Kim", "grace.kim@example.com"),
        ("Noah Williams", "noah.williams@example.com"), ("Zoë Martin", "zoe.martin@example.com"),
        ("Ivan Petrov", "ivan.petrov@example.com"), ("Amara Okafor", "amara.okafor@example.com"),
        ("Chloé Laurent", "chloe.laurent@example.com"), ("Ben Carter", "ben.carter@example.com"),
    ];

    private static readonly string[] NamePrefixes =
    [
        "Virtucon", "Ironclad", "Müller & Söhne", "Keystone", "Ōkami", "Wonka", "Black Mesa", "Acme", "Cyberdyne",
        "Soylent", "Initech", "Tidewater", "Lunar", "Quantum Leaf", "Aperture", "Sterling", "Borealis", "Monarch",
        "Evergreen", "Stark", "Pied Piper", "Copperfield", "Wayne", "Northstar", "Gringotts", "Vandelay",
        "Massive Dynamic", "Silverline", "Kruger", "Umbrella", "Hooli", "Globex", "Tyrell", "Oscorp", "Nakatomi",
        "Zorin", "Dunder", "Bluth", "Prestige", "Gekko", "Sirius", "Halcyon", "Bellwether", "Cobalt", "Juniper",
        "Fjord", "Saffron", "Kestrel", "Orinoco", "Zephyr",
    ];
    private static readonly string[] NameSuffixes = ["Ltd", "Systems", "Group", "AG", "Labs", "Inc.", "Holdings", "Corp", "GmbH", "Technologies"];
    private static readonly string[] NameRegions = ["", " Europe", " North America", " APAC", " UK", " Nordics"];
    private static readonly string[] Industries = ["Biotech", "Education", "Energy", "Healthcare", "Logistics", "Manufacturing", "Media", "Retail", "SaaS", "Fintech"];
    private static readonly string[] Tiers = ["Enterprise", "Mid-Market", "SMB"];
    private static readonly string[] Notes = ["Renewal at risk — see thread 🔥", "Champion left in March.", "Prefers e-mail over calls.", "Budget approved for next year.", "Asked for a quarterly review."];
    private static readonly string[] Areas = ["Privacy", "Security", "Data", "Operations", "Revenue", "Marketing", "Product", "Analytics"];
    private static readonly string[] Roles = ["Chief Executive Officer", "Chief Financial Officer", "Chief AI Officer", "Chief Revenue Officer", "VP of Sales"];
    private static readonly string[] Investors = ["Accel", "Sequoia", "Index Ventures", "a16z", "Balderton"];
    private static readonly string[] Cities = ["Austin", "Dublin", "São Paulo", "Singapore", "Berlin", "Toronto", "Zürich"];
    private static readonly string[] Sources = ["Financial Times", "LinkedIn", "Reuters", "Google News", "Business Wire", "The Verge", "Company Blog", "TechCrunch", "PR Newswire", "Bloomberg"];
    private static readonly string[] Categories = ["funding", "acquisition", "leadership_change", "product_launch", "partnership", "layoffs", "expansion", "legal", "earnings", "other"];
    private static readonly string[] OddCategories = ["Funding Round", "M&A", "Layoff", "misc stuff"];
    private static readonly string[] UnknownOwners = ["Jordan Blake", "ops@example.com", "Former AM (Dave)", "Sales team"];
    private static readonly string[] Placeholders = ["TBD", "n/a", "", "unknown"];
    private static readonly string[] UnparseableTimes = ["yesterday", "last week", "N/A", ""];
    private const string BcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private readonly Random _random;
    private readonly int _events;
    private int _oddTimestamps, _unparseableTimestamps, _oddCategories, _oddKeywords, _overlongTitles, _outOfRangeRelevance, _duplicates, _orphans;

    private LegacyFileGenerator(int events, int seed)
    {
        _events = events;
        _random = new Random(seed);
    }

    /// <summary>Writes a new file at <paramref name="path"/>, which must not exist yet.</summary>
    public static LegacyFileContents Write(string path, int events, int seed, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(events);
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False;Foreign Keys=False");
        connection.Open();
        // A file cut short by a crash is thrown away and made again, so nothing needs a journal.
        Execute(connection, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;");
        Execute(connection, Tidings.Legacy.LegacySchema.Sql);
        using var transaction = connection.BeginTransaction();
        var generator = new LegacyFileGenerator(events, seed);
        generator.WriteUsers(connection);
        var clients = generator.WriteClients(connection);
        generator.WriteEvents(connection, clients, ct);
        transaction.Commit();
        return new LegacyFileContents(UserCount, clients.LiveIds.Length, clients.DeletedIds.Length, events, generator._duplicates, generator._orphans,
            generator._oddTimestamps, generator._unparseableTimestamps, generator._oddCategories, generator._oddKeywords,
            generator._overlongTitles, generator._outOfRangeRelevance);
    }

    private void WriteUsers(SqliteConnection connection)
    {
        using var insert = Prepare(connection, "INSERT INTO users (email, full_name, hashed_password, is_active, created_at) VALUES ($email, $name, $hash, $active, $created)");
        for (var i = 0; i < UserCount; i++)
        {
            var (name, email) = People[i];
            // Real bcrypt, so an imported user can sign in, but at cost 4 rather than passlib's 12: the
            // import only carries hashes over, and 20 hashes at cost 12 would outweigh a --quick file.
            var salt = "$2b$04$" + new string(Enumerable.Range(0, 22).Select(_ => BcryptAlphabet[_random.Next(BcryptAlphabet.Length)]).ToArray());
            Bind(insert, email, name, BCrypt.Net.BCrypt.HashPassword($"bench-user-{i + 1}", salt), i < UserCount - 2 ? 1 : 0,
                Timestamp(FirstStory.AddDays(-400 + 15 * i).AddSeconds(_random.Next(86_400))));
        }
    }

    /// <summary>Client names by id (index 0 unused) and which ids were hard-deleted, as the old app did.</summary>
    private sealed record ClientIds(string[] Names, int[] LiveIds, int[] DeletedIds);

    private ClientIds WriteClients(SqliteConnection connection)
    {
        var deletedCount = Math.Max(1, ClientCountFor(_events) / 100);
        var count = ClientCountFor(_events) + deletedCount;
        var names = new string[count + 1];
        var deleted = new bool[count + 1];
        var combinations = NamePrefixes.Length * NameSuffixes.Length * NameRegions.Length;
        var order = Enumerable.Range(0, combinations).OrderBy(_ => _random.Next()).ToArray();
        for (var id = 1; id <= count; id++)
        {
            var k = order[(id - 1) % combinations];
            var round = (id - 1) / combinations;
            names[id] = $"{NamePrefixes[k % NamePrefixes.Length]} {NameSuffixes[k / NamePrefixes.Length % NameSuffixes.Length]}{NameRegions[k / (NamePrefixes.Length * NameSuffixes.Length)]}{(round > 0 ? $" {round + 1}" : "")}";
        }
        while (deleted.Count(d => d) < deletedCount)
            deleted[1 + _random.Next(count)] = true;

        using var insert = Prepare(connection, """
            INSERT INTO clients (id, name, domain, industry, description, search_keywords, is_active, account_owner, tier, health_score, notes, created_at, updated_at, last_checked_at)
            VALUES ($id, $name, $domain, $industry, $description, $keywords, $active, $owner, $tier, $health, $notes, $created, $updated, $checked)
            """);
        for (var id = 1; id <= count; id++)
        {
            if (deleted[id])
                continue;
            var name = names[id];
            var slug = new string(name.ToLowerInvariant().Where(char.IsLetterOrDigit).Take(18).ToArray());
            var created = FirstStory.AddDays(-200 + _random.NextDouble() * 700);
            var updated = created.AddDays(_random.NextDouble() * 200);
            Bind(insert, id, name,
                Pick(0.3, () => _random.Next(3) switch { 0 => $"{slug}.com", 1 => $"www.{slug}.io", _ => $"https://{slug}.co/" }),
                Pick(0.9, () => Industries[_random.Next(Industries.Length)]),
                Pick(0.6, () => _random.Next(3) switch
                {
                    0 => $"{name} is a family-owned company.",
                    1 => $"{name} is a fast-growing company.",
                    _ => $"Key account &amp; renewal due in Q{_random.Next(1, 5)}. <b>Watch closely</b>.",
                }),
                Pick(0.65, () => Keywords(name)),
                _random.NextDouble() < 0.92 ? 1 : 0,
                AccountOwner(),
                Pick(0.7, () => Tiers[_random.Next(Tiers.Length)]),
                Pick(0.7, () => Math.Round(_random.NextDouble() * 100, 1)),
                Pick(0.35, () => Notes[_random.Next(Notes.Length)]),
                Timestamp(created), Timestamp(updated),
                Pick(0.85, () => Timestamp(updated.AddDays(_random.NextDouble() * 10))));
        }
        return new ClientIds(names, Enumerable.Range(1, count).Where(id => !deleted[id]).ToArray(), Enumerable.Range(1, count).Where(id => deleted[id]).ToArray());
    }

    /// <summary>The fields a re-stored duplicate copies from its original.</summary>
    private readonly record struct Story(long ClientId, string Title, string Url, string Category, object EventDate);

    private void WriteEvents(SqliteConnection connection, ClientIds clients, CancellationToken ct)
    {
        using var insert = Prepare(connection, """
            INSERT INTO events (client_id, title, description, url, source, category, relevance_score, sentiment_score, event_date, discovered_at, is_read, is_starred)
            VALUES ($client, $title, $description, $url, $source, $category, $relevance, $sentiment, $date, $discovered, $read, $starred)
            """);
        var recent = new Story[512];
        var recentCount = 0;
        for (var i = 0; i < _events; i++)
        {
            if (i % 10_000 == 0)
                ct.ThrowIfCancellationRequested();
            var discovered = FirstStory + StorySpan * ((double)i / Math.Max(1, _events)) + TimeSpan.FromMinutes(_random.Next(120));
            if (recentCount > 0 && _random.NextDouble() < DuplicateRate)
            {
                // The old poller stored a story it had already seen: same link, a later row, sometimes a retouched title.
                var original = recent[_random.Next(Math.Min(recentCount, recent.Length))];
                _duplicates++;
                if (Array.BinarySearch(clients.DeletedIds, (int)original.ClientId) >= 0)
                    _orphans++;
                Bind(insert, original.ClientId, _random.Next(2) == 0 ? original.Title : original.Title + " ", null, original.Url,
                    Sources[_random.Next(Sources.Length)], original.Category, Relevance(), Sentiment(), original.EventDate,
                    Timestamp(discovered), IsRead(), IsStarred());
                continue;
            }

            long clientId;
            if (_random.NextDouble() < OrphanRate)
            {
                clientId = clients.DeletedIds[_random.Next(clients.DeletedIds.Length)];
                _orphans++;
            }
            else
            {
                // Squaring skews the pick: a few big accounts collect most of the news, as in the real feed.
                var r = _random.NextDouble();
                clientId = clients.LiveIds[(int)(r * r * clients.LiveIds.Length)];
            }
            var client = clients.Names[clientId];
            var categoryIndex = _random.Next(Categories.Length);
            var title = Title(categoryIndex, client, clients);
            var happened = discovered - TimeSpan.FromMinutes(_random.Next(72 * 60));
            var url = $"https://news.example.net/{happened:yyyy}/{happened:MM}/{Slug(title)}-{i}";
            if (_random.NextDouble() < AtLeastAFew(OverlongTitleRate, _events))
            {
                title += " — " + string.Concat(Enumerable.Repeat("full story pasted into the title by the old poller, ", 12));
                _overlongTitles++;
            }
            var category = Categories[categoryIndex];
            if (_random.NextDouble() < OddCategoryRate)
            {
                category = OddCategories[_random.Next(OddCategories.Length)];
                _oddCategories++;
            }
            var eventDate = Timestamp(happened);
            var storedUrl = _random.NextDouble() < 0.05 ? null : url;
            Bind(insert, clientId, title,
                _random.Next(20) switch
                {
                    < 7 => null,
                    < 15 => $"{client} confirmed the news on {happened.ToString("MMMM dd", CultureInfo.InvariantCulture)}. Analysts &quot;cautiously optimistic&quot;.",
                    _ => $"{title}. More details in the full article.",
                },
                storedUrl,
                Pick(0.91, () => Sources[_random.Next(Sources.Length)]),
                category, Relevance(), Sentiment(), eventDate, Timestamp(discovered), IsRead(), IsStarred());
            if (storedUrl is not null)
                recent[recentCount++ % recent.Length] = new Story(clientId, title, storedUrl, category, eventDate);
        }
    }

    private string Title(int category, string client, ClientIds clients)
    {
        var other = clients.Names[1 + _random.Next(clients.Names.Length - 1)];
        return category switch
        {
            0 => $"{client} raises ${_random.Next(2, 900)}M Series {(char)('A' + _random.Next(6))} led by {Investors[_random.Next(Investors.Length)]}",
            1 => $"{client} to acquire {other} in ${_random.Next(10, 900)}M deal",
            2 => $"{client} names {People[_random.Next(People.Length)].Name} as new {Roles[_random.Next(Roles.Length)]}",
            3 => $"{client} launches {Areas[_random.Next(Areas.Length)]}Hub, its new {Areas[_random.Next(Areas.Length)]} platform",
            4 => $"{client} and {other} announce strategic partnership",
            5 => $"{client} cuts {_random.Next(3, 30)}% of workforce amid restructuring",
            6 => $"{client} opens new office in {Cities[_random.Next(Cities.Length)]}",
            7 => $"{client} faces lawsuit over {Areas[_random.Next(Areas.Length)].ToLowerInvariant()} practices",
            8 => $"{client} reports Q{_random.Next(1, 5)} revenue of ${_random.Next(5, 900)}M, beating estimates",
            _ => $"{client} featured in {Areas[_random.Next(Areas.Length)]} industry report",
        };
    }

    private static string Slug(string title)
    {
        var slug = title.ToLowerInvariant().Replace(' ', '-').Replace("$", "").Replace("%", "");
        return slug.Length <= 60 ? slug : slug[..60];
    }

    /// <summary>A JSON array as Python's json.dumps writes it: ", " between items, non-ASCII as \u escapes.</summary>
    private object Keywords(string clientName)
    {
        var first = clientName.Split(' ')[0];
        var area = Areas[_random.Next(Areas.Length)].ToLowerInvariant();
        if (_random.NextDouble() < AtLeastAFew(OddKeywordsRate, ClientCountFor(_events)))
        {
            _oddKeywords++;
            return _random.Next(2) == 0 ? $"{first}, {area}" : JsonSerializer.Serialize(first);
        }
        return $"[{JsonSerializer.Serialize(first)}, {JsonSerializer.Serialize(area)}]";
    }

    private object? AccountOwner()
    {
        var (name, email) = People[_random.Next(People.Length)];
        return _random.Next(100) switch
        {
            < 70 => name,
            < 75 => name.ToLowerInvariant(),
            < 78 => $"  {name} ",
            < 80 => name.Replace(" ", "  "),
            < 84 => email,
            < 92 => Placeholders[_random.Next(Placeholders.Length)],
            < 96 => null,
            _ => UnknownOwners[_random.Next(UnknownOwners.Length)],
        };
    }

    /// <summary>SQLAlchemy's text shape most of the time; otherwise the shapes other tools wrote over the years.</summary>
    private object Timestamp(DateTime utc)
    {
        var roll = _random.NextDouble();
        if (roll >= OddTimestampRate + UnparseableTimestampRate)
            return utc.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
        if (roll < UnparseableTimestampRate)
        {
            _unparseableTimestamps++;
            return UnparseableTimes[_random.Next(UnparseableTimes.Length)];
        }
        _oddTimestamps++;
        return _random.Next(6) switch
        {
            0 => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            1 => utc.AddHours(2).ToString("yyyy-MM-dd'T'HH:mm:ss'+02:00'", CultureInfo.InvariantCulture),
            2 => utc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            3 => (long)(utc - DateTime.UnixEpoch).TotalSeconds,
            4 => utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
            _ => utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        };
    }

    private double Relevance()
    {
        if (_random.NextDouble() >= OutOfRangeRelevanceRate)
            return Math.Round(_random.NextDouble(), 3);
        _outOfRangeRelevance++;
        return 1.5;
    }

    private object? Sentiment() => Pick(0.9, () => Math.Round(_random.NextDouble() * 2 - 1, 2));
    private int IsRead() => _random.NextDouble() < 0.6 ? 1 : 0;
    private int IsStarred() => _random.NextDouble() < 0.05 ? 1 : 0;

    /// <summary>A rare shape's rate, raised in a small file so that a --quick run still meets it a few times.</summary>
    private static double AtLeastAFew(double rate, int population) => Math.Max(rate, 3.0 / Math.Max(1, population));

    private object? Pick(double presence, Func<object> value) => _random.NextDouble() < presence ? value() : null;

    private static SqliteCommand Prepare(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (Match name in Regex.Matches(sql, @"\$\w+"))
            command.Parameters.Add(new SqliteParameter { ParameterName = name.Value });
        command.Prepare();
        return command;
    }

    /// <summary>Re-binds a prepared command's parameters in order; each value's own type decides how SQLite stores it.</summary>
    private static void Bind(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        command.ExecuteNonQuery();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
