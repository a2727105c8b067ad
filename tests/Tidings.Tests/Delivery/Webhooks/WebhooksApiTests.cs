using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Delivery.Webhooks;
using Tidings.Tests.Clients;
using Tidings.Tests.Infrastructure;
using Tidings.Tests.Monitoring;
using Tidings.Users;

namespace Tidings.Tests.Delivery.Webhooks;

/// <summary>
/// Registering webhook endpoints (issue 15's first step): admins only, the secret shown when made and when rotated and
/// never otherwise, nor in the audit trail, filters checked against the business, addresses by the sources' rules.
/// The server allows loopback addresses (MonitorApi), so endpoints on 127.0.0.1 stand for a receiver.
/// </summary>
public abstract class WebhooksApiTests<TDatabase>(MonitorApi<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private const string Receiver = "http://127.0.0.1:9/hooks/tidings";

    [Fact]
    public async Task An_admin_adds_an_endpoint_whose_secret_is_shown_once_and_rotates_it_with_a_grace_period()
    {
        var owner = await server.SignUpAsync();
        var client = await owner.Http.CallAsync("POST", "/api/clients", new { name = "Hooked Inc" }).ExpectAsync(HttpStatusCode.Created);

        var created = await owner.Http.CallAsync("POST", "/api/webhooks", new
        {
            url = Receiver, eventTypes = new[] { "event.created", "source.stopped" }, minRelevance = 0.6,
            categories = new[] { "funding" }, clientIds = new[] { client.Id() }, description = " CRM sync ",
        }).ExpectAsync(HttpStatusCode.Created);
        var id = created.Id();
        var secret = created.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret);
        Assert.Equal(32, WebhookSecret.KeyOf(secret).Length);
        Assert.Equal(("json", "CRM sync", true), (created.GetProperty("format").GetString(), created.GetProperty("description").GetString(), created.GetProperty("enabled").GetBoolean()));
        Assert.Equal(client.Id(), Assert.Single(created.GetProperty("clientIds").EnumerateArray()).GetGuid());

        var read = await owner.Http.GetAsync($"/api/webhooks/{id}");
        var shown = await read.Content.ReadAsStringAsync();
        Assert.DoesNotContain(secret, shown);
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(shown).RootElement.GetProperty("secret").ValueKind);
        Assert.DoesNotContain(secret, await owner.Http.GetStringAsync("/api/webhooks"));
        Assert.DoesNotContain(secret, await owner.Http.GetStringAsync($"/api/audit?table=webhooks&recordId={id}"));

        var rotated = await owner.Http.CallAsync("PATCH", $"/api/webhooks/{id}", new { rotateSecret = true, format = "slack" }, ifMatch: read.ETag()).ExpectAsync();
        var next = rotated.GetProperty("secret").GetString()!;
        Assert.NotEqual(secret, next);
        Assert.InRange(rotated.GetProperty("secretRotatedUntil").GetDateTime(), DateTime.UtcNow.AddHours(23), DateTime.UtcNow.AddHours(25));
        Assert.Equal("slack", rotated.GetProperty("format").GetString());
        await using (var db = server.Database.Context(owner.BusinessId))
        {
            var stored = await db.Webhooks.SingleAsync(w => w.Id == id);
            Assert.Equal([next, secret], stored.SigningSecrets.ActiveAt(DateTimeOffset.UtcNow));
        }

        var disabled = await owner.Http.CallAsync("PATCH", $"/api/webhooks/{id}", new { enabled = false }).ExpectAsync();
        Assert.Equal(JsonValueKind.Null, disabled.GetProperty("secret").ValueKind);
        Assert.False(disabled.GetProperty("enabled").GetBoolean());
        Assert.Contains("Disabled by", disabled.GetProperty("disabledReason").GetString());

        await owner.Http.CallAsync("DELETE", $"/api/webhooks/{id}").ExpectAsync(HttpStatusCode.NoContent);
        await owner.Http.GetAsync($"/api/webhooks/{id}").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Only_admins_manage_webhooks()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var admin = await server.AddUserAsync(owner, UserRoles.Admin);
        var made = await admin.Http.CallAsync("POST", "/api/webhooks", new { url = Receiver, eventTypes = new[] { "event.created" } }).ExpectAsync(HttpStatusCode.Created);

        await member.Http.GetAsync("/api/webhooks").ExpectAsync(HttpStatusCode.Forbidden);
        await member.Http.GetAsync($"/api/webhooks/{made.Id()}").ExpectAsync(HttpStatusCode.Forbidden);
        await member.Http.CallAsync("POST", "/api/webhooks", new { url = Receiver, eventTypes = new[] { "event.created" } }).ExpectAsync(HttpStatusCode.Forbidden);
        await member.Http.CallAsync("DELETE", $"/api/webhooks/{made.Id()}").ExpectAsync(HttpStatusCode.Forbidden);
        Assert.Single((await owner.Http.GetAsync("/api/webhooks").ExpectAsync()).EnumerateArray());
    }

    [Fact]
    public async Task Bad_webhook_requests_are_refused_with_their_reason_and_change_nothing()
    {
        var owner = await server.SignUpAsync();
        async Task Refused(object body, string field)
        {
            var problem = await owner.Http.CallAsync("POST", "/api/webhooks", body).ExpectAsync(HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no error for {field}: {problem}");
        }
        await Refused(new { eventTypes = new[] { "event.created" } }, "url");
        await Refused(new { url = "ftp://example.org/hook", eventTypes = new[] { "event.created" } }, "url");
        await Refused(new { url = "https://user:pw@example.org/hook", eventTypes = new[] { "event.created" } }, "url");
        await Refused(new { url = Receiver }, "eventTypes");
        await Refused(new { url = Receiver, eventTypes = Array.Empty<string>() }, "eventTypes");
        await Refused(new { url = Receiver, eventTypes = new[] { "event.exploded" } }, "eventTypes");
        await Refused(new { url = Receiver, eventTypes = new[] { "event.created" }, format = "xml" }, "format");
        await Refused(new { url = Receiver, eventTypes = new[] { "event.created" }, minRelevance = 1.5 }, "minRelevance");
        await Refused(new { url = Receiver, eventTypes = new[] { "event.created" }, categories = new[] { "" } }, "categories");
        await owner.Http.CallAsync("POST", "/api/webhooks", new { url = Receiver, eventTypes = new[] { "event.created" }, categories = new[] { "weather" } })
            .ExpectAsync(HttpStatusCode.UnprocessableEntity);
        await owner.Http.CallAsync("POST", "/api/webhooks", new { url = Receiver, eventTypes = new[] { "event.created" }, clientIds = new[] { Guid.NewGuid() } })
            .ExpectAsync(HttpStatusCode.UnprocessableEntity);
        await owner.Http.CallAsync("POST", "/api/webhooks", new { url = "http://nowhere.invalid/hook", eventTypes = new[] { "event.created" } })
            .ExpectAsync(HttpStatusCode.UnprocessableEntity);
        await owner.Http.CallAsync("POST", "/api/webhooks", """{"url": "http://127.0.0.1:9/x", "eventTypes": ["event.created"], "secret": "mine"}""")
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Empty((await owner.Http.GetAsync("/api/webhooks").ExpectAsync()).EnumerateArray());

        var made = await owner.Http.CallAsync("POST", "/api/webhooks", new { url = Receiver, eventTypes = new[] { "event.created" } }).ExpectAsync(HttpStatusCode.Created);
        var etag = (await owner.Http.GetAsync($"/api/webhooks/{made.Id()}")).ETag();
        await owner.Http.CallAsync("PATCH", $"/api/webhooks/{made.Id()}", new { eventTypes = Array.Empty<string>() }).ExpectAsync(HttpStatusCode.BadRequest);
        await owner.Http.CallAsync("PATCH", $"/api/webhooks/{made.Id()}", """{"enabled": null}""").ExpectAsync(HttpStatusCode.BadRequest);
        await owner.Http.CallAsync("PATCH", $"/api/webhooks/{made.Id()}", """{"secret": "whsec_x"}""").ExpectAsync(HttpStatusCode.BadRequest);
        await owner.Http.CallAsync("PATCH", $"/api/webhooks/{made.Id()}", new { url = "javascript:alert(1)" }).ExpectAsync(HttpStatusCode.BadRequest);
        await owner.Http.CallAsync("PATCH", $"/api/webhooks/{made.Id()}", new { categories = new[] { "weather" } }).ExpectAsync(HttpStatusCode.UnprocessableEntity);
        await owner.Http.CallAsync("PATCH", $"/api/webhooks/{made.Id()}", new { enabled = false }, ifMatch: "\"stale\"").ExpectAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(etag, (await owner.Http.GetAsync($"/api/webhooks/{made.Id()}")).ETag());
        await owner.Http.GetAsync($"/api/webhooks/{Guid.NewGuid()}").ExpectAsync(HttpStatusCode.NotFound);
    }
}

/// <summary>The default address rules: an endpoint on a private or loopback address is refused.</summary>
public abstract class WebhookAddressTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Theory]
    [InlineData("http://127.0.0.1:9/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://192.168.1.10/hook")]
    public async Task An_endpoint_on_a_private_address_is_refused(string url)
    {
        var owner = await server.SignUpAsync();
        var refused = await owner.Http.CallAsync("POST", "/api/webhooks", new { url, eventTypes = new[] { "event.created" } }).ExpectAsync(HttpStatusCode.UnprocessableEntity);
        Assert.False(string.IsNullOrWhiteSpace(refused.GetProperty("detail").GetString()));
        Assert.Empty((await owner.Http.GetAsync("/api/webhooks").ExpectAsync()).EnumerateArray());
    }
}

public sealed class WebhooksApiTests_Sqlite(MonitorSqliteApi server) : WebhooksApiTests<SqliteDatabase>(server), IClassFixture<MonitorSqliteApi>;
public sealed class WebhooksApiTests_Postgres(MonitorPostgresApi server) : WebhooksApiTests<PostgresDatabase>(server), IClassFixture<MonitorPostgresApi>;
public sealed class WebhookAddressTests_Sqlite(SqliteApi server) : WebhookAddressTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
