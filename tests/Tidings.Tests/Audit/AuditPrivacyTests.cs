using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Tidings.Interactions;
using Tidings.Tests.Clients;
using Tidings.Tests.Events;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Audit;

/// <summary>
/// What the audit trail keeps from colleagues: a person's own notes never reach it in clear, and where a
/// change came from (address, user agent) is for admins and owners only.
/// </summary>
public abstract class AuditPrivacyTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task A_persons_notes_are_audited_as_changed_never_as_their_text()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var ev = await owner.PostEventAsync(await server.Database.AddClientAsync(owner), "News");
        var first = $"call the CFO about the layoffs {Guid.NewGuid():N}";
        var second = $"not before Friday {Guid.NewGuid():N}";

        await member.Http.CallAsync("PUT", $"/api/events/{ev.Id}/interaction", new { notes = first }).ExpectAsync();
        await member.Http.CallAsync("PUT", $"/api/events/{ev.Id}/interaction", new { notes = second, isStarred = true }).ExpectAsync();
        await member.Http.CallAsync("PUT", $"/api/events/{ev.Id}/interaction", new { notes = (string?)null }).ExpectAsync();

        var raw = await owner.Http.GetStringAsync("/api/audit?table=event_user_interactions&limit=200");
        var entries = JsonDocument.Parse(raw).RootElement.GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("userId").GetString() == member.Id.ToString()).Reverse().ToList();
        Assert.Equal(["CREATE", "UPDATE", "UPDATE"], entries.Select(e => e.GetProperty("action").GetString()));
        Assert.All(entries, e => Assert.Contains("user_notes", e.GetProperty("changedFields").EnumerateArray().Select(f => f.GetString())));
        // Set, changed, cleared: presence shows, the words do not.
        Assert.Equal(["(private)", "(private)", null], entries.Select(e => e.GetProperty("newValues").GetProperty("user_notes").GetString()));
        Assert.Equal(["(private)", "(private)"], entries.Skip(1).Select(e => e.GetProperty("oldValues").GetProperty("user_notes").GetString()));
        foreach (var text in new[] { first, second })
        {
            Assert.DoesNotContain(text, raw);
            Assert.DoesNotContain(text, await StoredAuditTextAsync());
        }
    }

    [Fact]
    public async Task Notes_written_in_bulk_are_audited_as_changed_never_as_their_text()
    {
        var owner = await server.SignUpAsync();
        var ev = await owner.PostEventAsync(await server.Database.AddClientAsync(owner), "News");
        var text = $"private remark {Guid.NewGuid():N}";

        await using (var db = server.Database.Context(owner.BusinessId, TestActors.User(owner.Id, owner.BusinessId)))
        {
            db.EventUserInteractions.Add(new EventUserInteraction { EventId = ev.Id, UserId = owner.Id, UserNotes = text });
            await db.SaveInsertsInBulkAsync();
        }

        var stored = await StoredAuditTextAsync();
        Assert.Contains("(private)", stored);
        Assert.DoesNotContain(text, stored);
    }

    [Fact]
    public async Task Client_history_shows_addresses_and_user_agents_to_admins_and_owners_only()
    {
        var owner = await server.SignUpAsync();
        var admin = await server.AddUserAsync(owner, UserRoles.Admin);
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer);
        var editor = await SignInWithUserAgentAsync(member.Email, "HistoryProbe/1.0 (home laptop)");
        var client = (await editor.CallAsync("POST", "/api/clients", new { name = "Northwind" }).ExpectAsync(HttpStatusCode.Created)).Id();
        await editor.CallAsync("PATCH", $"/api/clients/{client}", new { tier = "gold" }).ExpectAsync();

        foreach (var reader in new[] { owner, admin })
        {
            var items = await HistoryAsync(reader, client);
            Assert.Equal(2, items.Count);
            Assert.All(items, e => Assert.Equal(("127.0.0.1", "HistoryProbe/1.0 (home laptop)"),
                (e.GetProperty("ipAddress").GetString(), e.GetProperty("userAgent").GetString())));
        }
        foreach (var reader in new[] { member, viewer })
        {
            var items = await HistoryAsync(reader, client);
            Assert.Equal(2, items.Count);
            // The same entries, the same fields: those two are null.
            Assert.All(items, e => Assert.Equal((JsonValueKind.Null, JsonValueKind.Null),
                (e.GetProperty("ipAddress").ValueKind, e.GetProperty("userAgent").ValueKind)));
            Assert.All(items, e => Assert.Equal(member.Id.ToString(), e.GetProperty("userId").GetString()));
            Assert.DoesNotContain("HistoryProbe", JsonSerializer.Serialize(items));
        }
    }

    [Fact]
    public async Task The_OpenAPI_document_says_who_sees_addresses_and_user_agents()
    {
        var document = JsonDocument.Parse(await server.Anonymous().GetStringAsync("/openapi/v1.json")).RootElement;
        var entry = document.GetProperty("components").GetProperty("schemas").GetProperty("AuditEntryDto").GetProperty("properties");
        foreach (var field in new[] { "ipAddress", "userAgent" })
            Assert.Contains("admins and owners", entry.GetProperty(field).GetProperty("description").GetString());
    }

    private static async Task<List<JsonElement>> HistoryAsync(ApiUser reader, Guid client) =>
        (await reader.Http.GetAsync($"/api/clients/{client}/history").ExpectAsync()).GetProperty("items").EnumerateArray().ToList();

    /// <summary>Every value of every audit row, read around the data layer, as one text.</summary>
    private async Task<string> StoredAuditTextAsync()
    {
        await using var connection = server.Database.OpenBypassConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM audit_logs";
        await using var reader = await command.ExecuteReaderAsync();
        var text = new StringBuilder();
        while (await reader.ReadAsync())
            for (var i = 0; i < reader.FieldCount; i++)
                text.Append(reader.GetValue(i)).Append('\n');
        return text.ToString();
    }

    private async Task<HttpClient> SignInWithUserAgentAsync(string email, string userAgent)
    {
        var login = await server.Anonymous(userAgent).PostAsJsonAsync("/api/auth/login", new { email, password = ApiUser.Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var client = server.Anonymous(userAgent);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<SessionDto>())!.Token);
        return client;
    }
}

public sealed class AuditPrivacyTests_Sqlite(SqliteApi server) : AuditPrivacyTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class AuditPrivacyTests_Postgres(PostgresApi server) : AuditPrivacyTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
