using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Categories;
using Tidings.Clients;
using Tidings.Data.Auditing;
using Tidings.Events;
using Tidings.Tests.Events;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Clients;

/// <summary>The formula alone, over plain inputs: no database.</summary>
public sealed class ClientHealthSignalTests
{
    private static readonly DateTime Now = new(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

    private static readonly HealthCategory Funding = new(Guid.NewGuid(), "funding", null, CategorySignals.Growth, 0.8);
    private static readonly HealthCategory Bankruptcy = new(Guid.NewGuid(), "bankruptcy", null, CategorySignals.Risk, 1.0);
    private static readonly HealthCategory Earnings = new(Guid.NewGuid(), "earnings", null, CategorySignals.Neutral, 0.6);
    private static readonly HealthCategory Acquisition = new(Guid.NewGuid(), "acquisition", null, CategorySignals.Neutral, 0.9);
    private static readonly HealthCategory Acquirer = new(Guid.NewGuid(), "acquirer", Acquisition.Id, CategorySignals.Growth, 0.8);
    private static readonly HealthCategory Target = new(Guid.NewGuid(), "target", Acquisition.Id, CategorySignals.Risk, 0.95);
    private static readonly HealthTaxonomy Taxonomy = new([Funding, Bankruptcy, Earnings, Acquisition, Acquirer, Target]);

    private static HealthEvent Event(string category, double ageDays = 0, double relevance = 1, double? confidence = null,
        string? subcategory = null, Guid? duplicateOf = null) =>
        new(Guid.NewGuid(), Guid.Empty, $"{category} news", category, subcategory, Now.AddDays(-ageDays), relevance, confidence, duplicateOf);

    private static NewsSignal Signal(params HealthEvent[] events) => ClientHealth.Compute(events, Taxonomy, Now);

    [Fact]
    public void No_news_is_50()
    {
        var signal = Signal();
        Assert.Equal(50, signal.Score);
        Assert.Empty(signal.Moved);
        Assert.Equal(0, signal.NeutralEvents);
    }

    [Fact]
    public void Risk_lowers_the_signal_and_growth_raises_it()
    {
        // 50 + 50 tanh(-1 / 2) and 50 + 50 tanh(0.8 x 0.5 / 2).
        Assert.Equal(26.9, Signal(Event("bankruptcy")).Score);
        Assert.Equal(59.9, Signal(Event("funding", relevance: 0.5)).Score);
        Assert.Equal(Math.Round(ClientHealth.ScoreOf(-1 + 0.4), 1), Signal(Event("bankruptcy"), Event("funding", relevance: 0.5)).Score);
    }

    [Fact]
    public void An_event_counts_half_after_a_half_life_nothing_outside_the_window_and_fully_when_dated_in_the_future()
    {
        var fresh = Signal(Event("bankruptcy")).Moved.Single();
        var month = Signal(Event("bankruptcy", ageDays: ClientHealth.HalfLifeDays)).Moved.Single();
        Assert.Equal(fresh.Value / 2, month.Value, 12);
        Assert.Equal(0.25, Signal(Event("bankruptcy", ageDays: 2 * ClientHealth.HalfLifeDays)).Moved.Single().Decay, 12);
        Assert.True(Signal(Event("bankruptcy", ageDays: 90)).Score > Signal(Event("bankruptcy", ageDays: 10)).Score);

        var outside = Signal(Event("bankruptcy", ageDays: ClientHealth.WindowDays + 1));
        Assert.Equal((50.0, 0, 0), (outside.Score, outside.Moved.Count, outside.NeutralEvents));
        var future = Signal(Event("bankruptcy", ageDays: -3)).Moved.Single();
        Assert.Equal((0.0, 1.0), (future.AgeDays, future.Decay));
    }

    [Fact]
    public void A_duplicate_counts_nothing_so_a_story_counts_once()
    {
        var original = Event("bankruptcy");
        var twice = Signal(original, Event("bankruptcy", duplicateOf: original.Id));
        Assert.Equal(Signal(original).Score, twice.Score);
        Assert.Equal([original.Id], twice.Moved.Select(m => m.Event.Id));
        Assert.Equal(0, twice.NeutralEvents);
    }

    [Fact]
    public void Neutral_unknown_and_zero_weighted_events_count_nothing_and_are_counted_as_neutral()
    {
        var signal = Signal(Event("earnings"), Event("retired_or_unknown"), Event("funding", relevance: 0), Event("funding", confidence: 0));
        Assert.Equal(50, signal.Score);
        Assert.Empty(signal.Moved);
        Assert.Equal(4, signal.NeutralEvents);
    }

    [Fact]
    public void Confidence_scales_an_event_and_no_confidence_counts_as_full()
    {
        var sure = Signal(Event("funding")).Moved.Single();
        var half = Signal(Event("funding", confidence: 0.5)).Moved.Single();
        Assert.Equal(sure.Value / 2, half.Value, 12);
        Assert.Equal(sure.Value, Signal(Event("funding", confidence: 1)).Moved.Single().Value, 12);
    }

    [Fact]
    public void A_live_subcategory_of_the_category_gives_its_own_signal_and_weight_anything_else_the_category_s()
    {
        var acquirer = Signal(Event("acquisition", subcategory: "acquirer")).Moved.Single();
        Assert.Equal((CategorySignals.Growth, 0.8), (acquirer.Signal, acquirer.Weight));
        var target = Signal(Event("acquisition", subcategory: "target")).Moved.Single();
        Assert.Equal((CategorySignals.Risk, 0.95, -0.95), (target.Signal, target.Weight, target.Value));

        // Neutral acquisition: a subcategory that is not its child, or is not live, leaves the category's signal.
        var elsewhere = Signal(Event("acquisition", subcategory: "funding"), Event("acquisition", subcategory: "retired"));
        Assert.Equal((50.0, 2), (elsewhere.Score, elsewhere.NeutralEvents));
        Assert.Equal(59.9, Signal(Event("funding", relevance: 0.5, subcategory: "target")).Score);
    }

    [Fact]
    public void Each_effect_is_the_score_with_the_event_minus_the_score_without_it_biggest_first()
    {
        var small = Event("funding", relevance: 0.2, ageDays: 40);
        var big = Event("bankruptcy");
        var middle = Event("funding");
        var signal = Signal(small, big, middle);
        Assert.Equal([big.Id, middle.Id, small.Id], signal.Moved.Select(m => m.Event.Id));
        var sum = signal.Moved.Sum(m => m.Value);
        foreach (var moved in signal.Moved)
            Assert.Equal(ClientHealth.ScoreOf(sum) - ClientHealth.ScoreOf(sum - moved.Value), moved.Effect, 12);
        Assert.True(signal.Moved[0].Effect < 0 && signal.Moved[1].Effect > 0);

        // Alone, an event's effect is its distance from 50; beside a second of the same, each costs less (the scale saturates).
        var alone = Signal(Event("bankruptcy")).Moved.Single().Effect;
        Assert.Equal(ClientHealth.ScoreOf(-1) - 50, alone, 12);
        var pair = Signal(Event("bankruptcy"), Event("bankruptcy"));
        Assert.All(pair.Moved, m => Assert.True(Math.Abs(m.Effect) < Math.Abs(alone)));
    }

    [Fact]
    public void Much_bad_news_stays_on_the_scale()
    {
        Assert.Equal(0, Signal(Enumerable.Range(0, 40).Select(_ => Event("bankruptcy")).ToArray()).Score);
        Assert.Equal(100, Signal(Enumerable.Range(0, 40).Select(_ => Event("funding")).ToArray()).Score);
    }
}

public abstract class ClientHealthTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task The_breakdown_lists_the_events_that_moved_the_signal_with_their_effects_biggest_first()
    {
        var owner = await server.SignUpAsync();
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer);
        var client = (await owner.Http.CallAsync("POST", "/api/clients", new { name = "Northwind" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var now = DateTime.UtcNow;
        var bankruptcy = await owner.PostEventAsync(new { clientId = client, title = "Northwind files for chapter 11", category = "bankruptcy", relevanceScore = 1.0, eventDate = now.AddDays(-1) });
        var funding = await owner.PostEventAsync(new { clientId = client, title = "Northwind raises $40M", url = "https://news.example/nw", category = "funding", relevanceScore = 0.5, confidenceScore = 0.5, eventDate = now.AddDays(-10) });
        var copy = await owner.PostEventAsync(new { clientId = client, title = "Northwind raises $40M", url = "https://news.example/nw", category = "funding", relevanceScore = 0.5, confidenceScore = 0.5, eventDate = now.AddDays(-10) });
        Assert.Equal(funding.Id, copy.DuplicateOfEventId);
        var acquires = await owner.PostEventAsync(new { clientId = client, title = "Northwind buys Contoso", category = "acquisition", subcategory = "acquirer", relevanceScore = 0.9, eventDate = now.AddDays(-40) });
        await owner.PostEventAsync(new { clientId = client, title = "Northwind reports results", category = "earnings", eventDate = now });
        await owner.PostEventAsync(new { clientId = client, title = "Northwind, ten months ago", category = "bankruptcy", eventDate = now.AddDays(-300) });

        var health = await viewer.Http.GetAsync($"/api/clients/{client}/health").ExpectAsync();
        Assert.Equal(JsonValueKind.Null, health.GetProperty("healthScore").ValueKind);
        Assert.Equal(JsonValueKind.Null, health.GetProperty("healthScoreSource").ValueKind);
        Assert.Equal((180, 30.0), (health.GetProperty("windowDays").GetInt32(), health.GetProperty("halfLifeDays").GetDouble()));
        Assert.Equal((3, 1), (health.GetProperty("movingEvents").GetInt32(), health.GetProperty("neutralEvents").GetInt32()));

        var events = health.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal([bankruptcy.Id, acquires.Id, funding.Id], events.Select(e => e.Id()));
        var effects = events.Select(e => e.GetProperty("effect").GetDouble()).ToList();
        Assert.True(effects[0] < 0 && effects[1] > 0 && effects[2] > 0, string.Join(", ", effects));
        Assert.Equal(effects.OrderByDescending(e => Math.Abs(e)), effects);
        var first = events[0];
        Assert.Equal(("bankruptcy", "risk", 1.0, 1.0, 1.0), (first.GetProperty("category").GetString(), first.GetProperty("signal").GetString(),
            first.GetProperty("relevance").GetDouble(), first.GetProperty("confidence").GetDouble(), first.GetProperty("weight").GetDouble()));
        Assert.Equal(1.0, first.GetProperty("ageDays").GetDouble(), 1);
        Assert.Equal(("acquisition", "acquirer", "growth", 0.8), (events[1].GetProperty("category").GetString(), events[1].GetProperty("subcategory").GetString(),
            events[1].GetProperty("signal").GetString(), events[1].GetProperty("weight").GetDouble()));
        Assert.Equal(0.5, events[2].GetProperty("confidence").GetDouble());

        // The signal is the formula over the listed contributions, and each effect the score with it minus the score without it.
        var contributions = events.Select(e => e.GetProperty("contribution").GetDouble()).ToList();
        var sum = contributions.Sum();
        Assert.Equal(Math.Round(ClientHealth.ScoreOf(sum), 1), health.GetProperty("newsSignal").GetDouble(), 0.11);
        for (var i = 0; i < events.Count; i++)
            Assert.Equal(ClientHealth.ScoreOf(sum) - ClientHealth.ScoreOf(sum - contributions[i]), effects[i], 0.01);
        Assert.True(health.GetProperty("newsSignal").GetDouble() < 50);
    }

    [Fact]
    public async Task Another_business_s_client_or_a_deleted_one_answers_404()
    {
        var owner = await server.SignUpAsync();
        var stranger = await server.SignUpAsync();
        var client = (await owner.Http.CallAsync("POST", "/api/clients", new { name = "Mine" }).ExpectAsync(HttpStatusCode.Created)).Id();
        await owner.Http.GetAsync($"/api/clients/{client}/health").ExpectAsync();
        await stranger.Http.GetAsync($"/api/clients/{client}/health").ExpectAsync(HttpStatusCode.NotFound);
        await owner.Http.GetAsync($"/api/clients/{Guid.NewGuid()}/health").ExpectAsync(HttpStatusCode.NotFound);
        await owner.Http.CallAsync("DELETE", $"/api/clients/{client}").ExpectAsync(HttpStatusCode.NoContent);
        await owner.Http.GetAsync($"/api/clients/{client}/health").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_breakdown_is_named_in_the_OpenAPI_document_with_its_answer()
    {
        var document = JsonDocument.Parse(await server.Anonymous().GetStringAsync("/openapi/v1.json")).RootElement;
        var get = document.GetProperty("paths").GetProperty("/api/clients/{id}/health").GetProperty("get");
        Assert.Equal("GetClientHealth", get.GetProperty("operationId").GetString());
        Assert.True(get.GetProperty("responses").GetProperty("200").TryGetProperty("content", out _));
        Assert.True(get.GetProperty("responses").TryGetProperty("404", out _));
    }

    [Fact]
    public async Task A_person_s_score_is_never_overwritten_by_the_news_and_clearing_it_hands_the_client_back()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        await owner.Http.CallAsync("PATCH", "/api/business", new { healthScoreFromNews = true }).ExpectAsync();
        var scored = await member.Http.CallAsync("POST", "/api/clients", new { name = "Scored", healthScore = 72.5 }).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal((72.5, "person"), (scored.GetProperty("healthScore").GetDouble(), scored.GetProperty("healthScoreSource").GetString()));
        var id = scored.Id();
        var seeded = await server.Database.AddClientAsync(owner, "Seeded");
        await using (var db = server.Database.Context(owner.BusinessId))
        {
            // As the seed and the old app left it: a value with no source.
            var row = await db.Clients.SingleAsync(c => c.Id == seeded);
            row.HealthScore = 80;
            await db.SaveChangesAsync();
        }

        foreach (var client in new[] { id, seeded })
            await member.PostEventAsync(new { clientId = client, title = "Bankrupt", category = "bankruptcy", relevanceScore = 1.0, eventDate = DateTime.UtcNow });
        await owner.Http.CallAsync("PATCH", "/api/business", new { healthScoreFromNews = true }).ExpectAsync();
        var kept = await member.Http.GetAsync($"/api/clients/{id}").ExpectAsync();
        Assert.Equal((72.5, "person"), (kept.GetProperty("healthScore").GetDouble(), kept.GetProperty("healthScoreSource").GetString()));
        var seed = await member.Http.GetAsync($"/api/clients/{seeded}").ExpectAsync();
        Assert.Equal(80, seed.GetProperty("healthScore").GetDouble());
        Assert.Equal(JsonValueKind.Null, seed.GetProperty("healthScoreSource").ValueKind);
        var health = await member.Http.GetAsync($"/api/clients/{id}/health").ExpectAsync();
        Assert.Equal((72.5, "person", 26.9), (health.GetProperty("healthScore").GetDouble(), health.GetProperty("healthScoreSource").GetString(),
            health.GetProperty("newsSignal").GetDouble()));

        // Cleared, nobody scored it: the news does, at once.
        var cleared = await member.Http.CallAsync("PATCH", $"/api/clients/{id}", """{"healthScore":null}""").ExpectAsync();
        Assert.Equal((26.9, "news"), (cleared.GetProperty("healthScore").GetDouble(), cleared.GetProperty("healthScoreSource").GetString()));
        // A person's value again: it stays whatever the news does.
        var set = await member.Http.CallAsync("PATCH", $"/api/clients/{id}", new { healthScore = 90 }).ExpectAsync();
        Assert.Equal((90, "person"), (set.GetProperty("healthScore").GetDouble(), set.GetProperty("healthScoreSource").GetString()));
        await member.PostEventAsync(new { clientId = id, title = "Bankrupt again", category = "bankruptcy", relevanceScore = 1.0, eventDate = DateTime.UtcNow });
        Assert.Equal(90, (await member.Http.GetAsync($"/api/clients/{id}").ExpectAsync()).GetProperty("healthScore").GetDouble());
    }

    [Fact]
    public async Task With_the_setting_on_events_set_the_score_of_unscored_clients_in_the_same_transaction_and_audited()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        await owner.Http.CallAsync("PATCH", "/api/business", new { healthScoreFromNews = true }).ExpectAsync();
        var created = await member.Http.CallAsync("POST", "/api/clients", new { name = "Unscored" }).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal((50, "news"), (created.GetProperty("healthScore").GetDouble(), created.GetProperty("healthScoreSource").GetString()));
        var id = created.Id();
        var other = (await member.Http.CallAsync("POST", "/api/clients", new { name = "Other" }).ExpectAsync(HttpStatusCode.Created)).Id();

        var ev = await member.PostEventAsync(new { clientId = id, title = "Bankrupt", category = "bankruptcy", relevanceScore = 1.0, eventDate = DateTime.UtcNow });
        Assert.Equal<(double?, string?)>((26.9, "news"), await ScoreAsync(member, id));
        await using (var db = server.Database.Context(owner.BusinessId))
        {
            var update = await db.AuditLogs.Where(a => a.TableName == "clients" && a.RecordId == id.ToString() && a.Action == AuditActions.Update)
                .OrderByDescending(a => a.CreatedAt).FirstAsync();
            Assert.Equal(member.Id, update.UserId);
            Assert.Equal(26.9, JsonDocument.Parse(update.NewValues!).RootElement.GetProperty("health_score").GetDouble());
        }

        // A neutral event changes nothing, so nothing is written about the client.
        var audits = await ClientAuditsAsync(owner, id);
        await member.PostEventAsync(new { clientId = id, title = "Results", category = "earnings", eventDate = DateTime.UtcNow });
        Assert.Equal(audits, await ClientAuditsAsync(owner, id));

        // Delete, restore and edits move it too; moving the event to another client moves both.
        await member.Http.CallAsync("DELETE", $"/api/events/{ev.Id}").ExpectAsync(HttpStatusCode.NoContent);
        Assert.Equal<(double?, string?)>((50, "news"), await ScoreAsync(member, id));
        await member.Http.CallAsync("POST", $"/api/events/{ev.Id}/restore").ExpectAsync();
        Assert.Equal<(double?, string?)>((26.9, "news"), await ScoreAsync(member, id));
        await member.Http.CallAsync("PATCH", $"/api/events/{ev.Id}", new { relevanceScore = 0.5 }).ExpectAsync();
        Assert.Equal<(double?, string?)>((Math.Round(ClientHealth.ScoreOf(-0.5), 1), "news"), await ScoreAsync(member, id));
        await member.Http.CallAsync("PATCH", $"/api/events/{ev.Id}", new { clientId = other }).ExpectAsync();
        Assert.Equal<(double?, string?)>((50, "news"), await ScoreAsync(member, id));
        Assert.Equal<(double?, string?)>((Math.Round(ClientHealth.ScoreOf(-0.5), 1), "news"), await ScoreAsync(member, other));

        // A batch large enough to be written in bulk scores its clients as well.
        var batch = Enumerable.Range(0, EventsBatchSize).Select(i => new
        {
            clientId = i % 2 == 0 ? id : other, title = $"Raises round {i}", category = "funding", relevanceScore = 0.1, eventDate = DateTime.UtcNow,
        }).ToList();
        await member.Http.CallAsync("POST", "/api/events/batch", new { events = batch }).ExpectAsync();
        var health = await member.Http.GetAsync($"/api/clients/{id}/health").ExpectAsync();
        Assert.Equal<(double?, string?)>((health.GetProperty("newsSignal").GetDouble(), "news"), await ScoreAsync(member, id));
        Assert.True(health.GetProperty("newsSignal").GetDouble() > 50);
    }

    /// <summary>At least the size from which a batch is written in bulk (EventCreation).</summary>
    private const int EventsBatchSize = 24;

    [Fact]
    public async Task Turning_the_setting_on_scores_every_client_nobody_scored_and_off_keeps_the_values()
    {
        var owner = await server.SignUpAsync();
        var unscored = (await owner.Http.CallAsync("POST", "/api/clients", new { name = "Unscored" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var quiet = (await owner.Http.CallAsync("POST", "/api/clients", new { name = "Quiet" }).ExpectAsync(HttpStatusCode.Created)).Id();
        var person = (await owner.Http.CallAsync("POST", "/api/clients", new { name = "Person", healthScore = 10 }).ExpectAsync(HttpStatusCode.Created)).Id();
        foreach (var client in new[] { unscored, person })
            await owner.PostEventAsync(new { clientId = client, title = "Layoffs", category = "layoffs", relevanceScore = 1.0, eventDate = DateTime.UtcNow });
        // Off by default: the news scores nobody.
        Assert.Equal<(double?, string?)>((null, null), await ScoreAsync(owner, unscored));

        var on = await owner.Http.CallAsync("PATCH", "/api/business", new { healthScoreFromNews = true }).ExpectAsync();
        Assert.True(on.GetProperty("healthScoreFromNews").GetBoolean());
        var layoffs = Math.Round(ClientHealth.ScoreOf(-0.85), 1);
        Assert.Equal<(double?, string?)>((layoffs, "news"), await ScoreAsync(owner, unscored));
        Assert.Equal<(double?, string?)>((50, "news"), await ScoreAsync(owner, quiet));
        Assert.Equal<(double?, string?)>((10, "person"), await ScoreAsync(owner, person));

        // Off: the values stay, still the news's, and no longer follow it; on again resumes.
        await owner.Http.CallAsync("PATCH", "/api/business", new { healthScoreFromNews = false }).ExpectAsync();
        await owner.PostEventAsync(new { clientId = unscored, title = "More layoffs", category = "layoffs", relevanceScore = 1.0, eventDate = DateTime.UtcNow });
        Assert.Equal<(double?, string?)>((layoffs, "news"), await ScoreAsync(owner, unscored));
        await owner.Http.CallAsync("PATCH", "/api/business", new { healthScoreFromNews = true }).ExpectAsync();
        Assert.Equal<(double?, string?)>((Math.Round(ClientHealth.ScoreOf(-1.7), 1), "news"), await ScoreAsync(owner, unscored));
        Assert.Equal<(double?, string?)>((10, "person"), await ScoreAsync(owner, person));
    }

    [Fact]
    public async Task The_query_reads_the_live_original_events_of_the_window_and_the_business_s_live_categories()
    {
        var business = await server.Database.NewBusinessAsync();
        var client = new Client { Name = "Acme" };
        var neighbour = new Client { Name = "Neighbour" };
        var person = new Client { Name = "Person", HealthScore = 65, HealthScoreSource = HealthScoreSources.Person };
        var now = DateTime.UtcNow;
        Guid original;
        await using (var db = business.Context())
        {
            var legal = new Category { Key = "legal", Name = "Legal", Signal = CategorySignals.Risk, Weight = 0.7 };
            db.Categories.AddRange(new Category { Key = "bankruptcy", Name = "Bankruptcy", Signal = CategorySignals.Risk, Weight = 1.0 }, legal);
            db.Clients.AddRange(client, neighbour, person);
            var first = new Event { ClientId = client.Id, Title = "Files for bankruptcy", Category = "bankruptcy", RelevanceScore = 1, EventDate = now };
            var deleted = new Event { ClientId = client.Id, Title = "Deleted", Category = "bankruptcy", RelevanceScore = 1, EventDate = now };
            db.Events.AddRange(first, deleted,
                new Event { ClientId = client.Id, Title = "Long ago", Category = "bankruptcy", RelevanceScore = 1, EventDate = now.AddDays(-ClientHealth.WindowDays - 1) },
                new Event { ClientId = client.Id, Title = "Sued", Category = "legal", RelevanceScore = 1, EventDate = now },
                new Event { ClientId = neighbour.Id, Title = "Neighbour's bankruptcy", Category = "bankruptcy", RelevanceScore = 1, EventDate = now },
                new Event { ClientId = person.Id, Title = "Person's bankruptcy", Category = "bankruptcy", RelevanceScore = 1, EventDate = now });
            await db.SaveChangesAsync();
            original = first.Id;
            db.Events.Add(new Event { ClientId = client.Id, Title = "Files for bankruptcy", Category = "bankruptcy", RelevanceScore = 1, EventDate = now, DuplicateOfEventId = first.Id });
            db.Events.Remove(deleted);
            db.Categories.Remove(legal);
            await db.SaveChangesAsync();
        }

        await using (var db = business.Context())
        {
            var signal = await ClientHealth.OfClientAsync(db, client.Id, DateTime.UtcNow, default);
            Assert.Equal([original], signal.Moved.Select(m => m.Event.Id));
            Assert.Equal((26.9, 1), (signal.Score, signal.NeutralEvents));

            // The setting is off: refreshing scores nobody.
            await ClientHealth.RefreshAsync(db, [client.Id, neighbour.Id, person.Id], default);
            Assert.Null((await db.Clients.AsNoTracking().SingleAsync(c => c.Id == client.Id)).HealthScore);
            (await db.Businesses.SingleAsync()).HealthScoreFromNews = true;
            await db.SaveChangesAsync();
        }

        // One client a chunk: the keyset carries on past each chunk to every client.
        await using (var db = business.Context())
            Assert.Equal(2, await ClientHealth.RefreshAllAsync(db, default, chunk: 1));
        await using (var db = business.Context())
        {
            var scores = await db.Clients.AsNoTracking().ToDictionaryAsync(c => c.Id, c => (c.HealthScore, c.HealthScoreSource));
            Assert.Equal<(double?, string?)>((26.9, HealthScoreSources.News), scores[client.Id]);
            Assert.Equal<(double?, string?)>((26.9, HealthScoreSources.News), scores[neighbour.Id]);
            Assert.Equal<(double?, string?)>((65, HealthScoreSources.Person), scores[person.Id]);
            // Unchanged values are not written again.
            Assert.Equal(0, await ClientHealth.RefreshAllAsync(db, default));
        }
    }

    private async Task<(double?, string?)> ScoreAsync(ApiUser user, Guid clientId)
    {
        var client = await user.Http.GetAsync($"/api/clients/{clientId}").ExpectAsync();
        var score = client.GetProperty("healthScore");
        var source = client.GetProperty("healthScoreSource");
        return (score.ValueKind == JsonValueKind.Null ? null : score.GetDouble(), source.ValueKind == JsonValueKind.Null ? null : source.GetString());
    }

    private async Task<int> ClientAuditsAsync(ApiUser user, Guid clientId)
    {
        await using var db = server.Database.Context(user.BusinessId);
        return await db.AuditLogs.CountAsync(a => a.TableName == "clients" && a.RecordId == clientId.ToString());
    }
}

public sealed class ClientHealthTests_Sqlite(SqliteApi server) : ClientHealthTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class ClientHealthTests_Postgres(PostgresApi server) : ClientHealthTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
public sealed class ClientHealthTests_Citus(CitusApi server) : ClientHealthTests<CitusDatabase>(server), IClassFixture<CitusApi>;
