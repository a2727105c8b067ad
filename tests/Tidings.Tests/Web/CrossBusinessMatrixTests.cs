using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Tidings.Categories;
using Tidings.Clients;
using Tidings.Events;
using Tidings.Notifications;
using Tidings.Tags;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Web;

/// <summary>
/// Tries every route and method the service maps, as an owner of business A, with the ids of business
/// B's records: each answers 404, exactly as for a missing record, and B's data does not change. The
/// routes are read from the running service, so a new route is in the matrix the day it is mapped.
/// </summary>
public abstract partial class CrossBusinessMatrixTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task Every_route_answers_404_for_another_business_records_and_changes_nothing()
    {
        var a = await server.SignUpAsync();
        var own = await OwnRecordsAsync(a);
        var b = await TenantGraph.CreateAsync(server.Database);
        var bSession = await SessionAsync(b);
        var before = await b.SnapshotAsync();

        var tried = new List<string>();
        var failures = new List<string>();
        foreach (var (method, pattern) in server.Routes.Where(r => r.Pattern.StartsWith("/api/", StringComparison.Ordinal) && RouteParameter().IsMatch(r.Pattern)))
        {
            foreach (var path in Paths(pattern, b, bSession, own))
            {
                tried.Add($"{method} {path}");
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method is "POST" or "PUT" or "PATCH")
                    request.Content = new StringContent(BodyFor(method, pattern, own), Encoding.UTF8, "application/json");
                var response = await a.Http.SendAsync(request);
                if (response.StatusCode != HttpStatusCode.NotFound)
                    failures.Add($"{method} {pattern}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }

        Assert.True(tried.Count >= 20, $"Only {tried.Count} requests: are the routes mapped?");
        // Routes that read a client's events for it (its health breakdown) are in the matrix too.
        Assert.Contains($"GET /api/clients/{b.Row<Client>().Id}/health", tried);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // A's business-wide work reaches none of B's rows (B's event is the classifier's, a candidate were it A's).
        Assert.Equal(HttpStatusCode.OK, (await a.Http.PostAsync("/api/categories/reclassify", null)).StatusCode);
        Assert.Equal(before, await b.SnapshotAsync());
        await using (var db = b.Business.Context())
            Assert.True(await db.ApiTokens.AnyAsync(t => t.Id == bSession));
    }

    /// <summary>A live sign-in session of B's member (the graph's token is a personal one).</summary>
    private static async Task<Guid> SessionAsync(TenantGraph b)
    {
        await using var db = b.Business.Context();
        var session = new ApiToken
        {
            UserId = b.Row<User>().Id, Kind = ApiToken.SessionKind, Name = "sign-in",
            TokenHash = ApiToken.Hash(ApiToken.NewSecret(b.Business.Id)), ExpiresAt = DateTime.UtcNow.AddDays(1),
        };
        db.ApiTokens.Add(session);
        await db.SaveChangesAsync();
        return session.Id;
    }

    /// <summary>
    /// The pattern with B's ids in every id parameter; for a route with two ids, also each mix of one of
    /// A's own records with one of B's, so a link from A's record to B's is refused too.
    /// </summary>
    private static IEnumerable<string> Paths(string pattern, TenantGraph b, Guid bSession, Dictionary<string, Guid> own)
    {
        var count = RouteParameter().Matches(pattern).Count(m => m.Groups["name"].Value != "kind");
        yield return Fill(pattern, b, bSession, own, ownAt: -1);
        if (count == 2)
        {
            yield return Fill(pattern, b, bSession, own, ownAt: 0);
            yield return Fill(pattern, b, bSession, own, ownAt: 1);
        }
    }

    private static string Fill(string pattern, TenantGraph b, Guid bSession, Dictionary<string, Guid> own, int ownAt)
    {
        var index = -1;
        return RouteParameter().Replace(pattern, m =>
        {
            var name = m.Groups["name"].Value;
            if (name == "kind")
                return "client";
            var before = pattern[..m.Index].TrimEnd('/');
            var segment = before[(before.LastIndexOf('/') + 1)..];
            var key = name == "tagId" ? "tags" : segment;
            if (++index == ownAt && own.TryGetValue(key, out var ownId))
                return ownId.ToString();
            return (name, segment) switch
            {
                ("tagId", _) or (_, "tags") => b.Row<Tag>().Id.ToString(),
                (_, "clients") or (_, "client") => b.Row<Client>().Id.ToString(),
                (_, "events") or (_, "event") => b.Row<Event>().Id.ToString(),
                (_, "users") => b.Row<User>().Id.ToString(),
                (_, "categories") => b.Row<Category>().Id.ToString(),
                (_, "sources") => b.Row<Tidings.Monitoring.Source>().Id.ToString(),
                (_, "webhooks") => b.Row<Tidings.Delivery.Webhooks.Webhook>().Id.ToString(),
                (_, "deliveries") => b.Row<Tidings.Delivery.Webhooks.WebhookDelivery>().Id.ToString(),
                (_, "notifications") => b.Row<Notification>().Id.ToString(),
                (_, "tokens") => b.Row<ApiToken>().Id.ToString(),
                (_, "sessions") => bSession.ToString(),
                _ when pattern.StartsWith("/api/trash", StringComparison.Ordinal) => b.Row<Client>().Id.ToString(),
                _ => throw new InvalidOperationException($"Which of B's ids goes into {{{name}}} of {pattern}? Teach the matrix."),
            };
        });
    }

    /// <summary>A client, an event, a tag and a category of A's own, made through the data layer.</summary>
    private async Task<Dictionary<string, Guid>> OwnRecordsAsync(ApiUser a)
    {
        await using var db = server.Database.Context(a.BusinessId, TestActors.User(a.Id, a.BusinessId));
        var client = new Client { Name = "A's client" };
        var ev = new Event { ClientId = client.Id, Title = "A's event", Category = "funding", EventDate = DateTime.UtcNow };
        var tag = new Tag { Name = "A's tag" };
        var category = new Category { Key = "a_own", Name = "A's category" };
        var webhook = new Tidings.Delivery.Webhooks.Webhook
        {
            Url = "https://hooks.example.com/a", Format = Tidings.Delivery.Webhooks.WebhookFormats.Json,
            EventTypes = [Tidings.Delivery.Webhooks.WebhookEventTypes.EventCreated], Secret = Tidings.Delivery.Webhooks.WebhookSecret.New(),
        };
        var delivery = new Tidings.Delivery.Webhooks.WebhookDelivery { WebhookId = webhook.Id, MessageId = Guid.NewGuid(), Type = "event.created", Attempt = 1 };
        db.AddRange(client, ev, tag, category, webhook, delivery);
        await db.SaveChangesAsync();
        return new()
        {
            ["clients"] = client.Id, ["events"] = ev.Id, ["tags"] = tag.Id, ["categories"] = category.Id, ["webhooks"] = webhook.Id, ["deliveries"] = delivery.Id,
        };
    }

    /// <summary>A body the route would accept for one of the caller's own records, so only the foreign id can fail it.</summary>
    private static string BodyFor(string method, string pattern, Dictionary<string, Guid> own) => (method, pattern) switch
    {
        (_, "/api/categories/{id}/merge") => $$"""{"into":"{{own["categories"]}}"}""",
        (_, "/api/events/{id}/review") => """{"category":"funding"}""",
        ("POST", var p) when p.TrimEnd('/') == "/api/clients/{id}/sources" => """{"url":"https://example.org/feed.xml","kind":"feed"}""",
        (_, var p) when p.EndsWith("/interaction", StringComparison.Ordinal) => """{"isRead":true}""",
        (_, var p) when p.EndsWith("/assignee", StringComparison.Ordinal) => """{"userId":null}""",
        _ => "{}",
    };

    [GeneratedRegex(@"\{(?<name>[A-Za-z]+)(:[^}]*)?\}")]
    private static partial Regex RouteParameter();
}

public sealed class CrossBusinessMatrixTests_Sqlite(SqliteApi server) : CrossBusinessMatrixTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class CrossBusinessMatrixTests_Postgres(PostgresApi server) : CrossBusinessMatrixTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
public sealed class CrossBusinessMatrixTests_Citus(CitusApi server) : CrossBusinessMatrixTests<CitusDatabase>(server), IClassFixture<CitusApi>;
