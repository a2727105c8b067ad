using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Clients;
using Tidings.Data.SoftDelete;
using Tidings.Events;
using Tidings.Tags;
using Tidings.Tests.Infrastructure;
using Tidings.Web;

namespace Tidings.Tests.Events;

/// <summary>Builders for the events and interactions tests: clients and tags through the data layer, events through HTTP.</summary>
public static class EventsTestData
{
    /// <summary>A live client of <paramref name="by"/>'s business, optionally assigned to someone.</summary>
    public static async Task<Guid> AddClientAsync(this TestDatabase database, ApiUser by, string name = "Client", Guid? assignedTo = null, bool deleted = false)
    {
        await using var db = database.Context(by.BusinessId, TestActors.User(by.Id, by.BusinessId));
        var client = new Client { Name = name, AssignedToUserId = assignedTo };
        db.Clients.Add(client);
        await db.SaveChangesAsync();
        if (deleted)
        {
            db.Clients.Remove(client);
            await db.SaveChangesAsync();
        }
        return client.Id;
    }

    /// <summary>A tag of the business, linked to the given events.</summary>
    public static async Task<Guid> AddTagAsync(this TestDatabase database, ApiUser by, string name, params Guid[] eventIds)
    {
        await using var db = database.Context(by.BusinessId, TestActors.User(by.Id, by.BusinessId));
        var tag = new Tag { Name = name, Color = "#336699" };
        db.Tags.Add(tag);
        db.EventTags.AddRange(eventIds.Select(id => new EventTag { EventId = id, TagId = tag.Id }));
        await db.SaveChangesAsync();
        return tag.Id;
    }

    public static object Body(Guid clientId, string title, string? url = null, double relevance = 0.5, DateTime? eventDate = null,
        string category = "funding", string? subcategory = null, string? description = null) =>
        new { clientId, title, url, category, subcategory, description, relevanceScore = relevance, eventDate = eventDate ?? DateTime.UtcNow };

    public static async Task<EventDto> PostEventAsync(this ApiUser user, object body)
    {
        var response = await user.Http.PostAsJsonAsync("/api/events", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<EventDto>())!;
    }

    public static Task<EventDto> PostEventAsync(this ApiUser user, Guid clientId, string title, string? url = null, double relevance = 0.5,
        DateTime? eventDate = null, string category = "funding") =>
        user.PostEventAsync(Body(clientId, title, url, relevance, eventDate, category));

    public static async Task<Page<EventDto>> FeedAsync(this ApiUser user, string query = "")
    {
        var response = await user.Http.GetAsync("/api/events" + query);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<Page<EventDto>>())!;
    }

    public static async Task<EventDto> GetEventAsync(this ApiUser user, Guid id)
    {
        var response = await user.Http.GetAsync($"/api/events/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<EventDto>())!;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static Task<HttpResponseMessage> SendAsync(this ApiUser user, string method, string path, string? json = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (json is not null)
            request.Content = Json(json);
        if (ifMatch is not null)
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return user.Http.SendAsync(request);
    }

    /// <summary>A problem details answer of <paramref name="status"/>; with a field, a validation problem naming it.</summary>
    public static async Task AssertProblemAsync(HttpResponseMessage response, int status, string? field, string because)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"{because}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", text);
        if (field is not null)
            Assert.True(JsonDocument.Parse(text).RootElement.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _),
                $"{because}: no field error for '{field}' in {text}");
    }

    /// <summary>
    /// Everything a request could have written in the business, deleted rows included. Call it after the
    /// user's first request: the first use of a session token is itself recorded.
    /// </summary>
    public static async Task<RowCounts> CountsAsync(this TestDatabase database, Guid businessId)
    {
        await using var db = database.Context(businessId);
        return new RowCounts(
            await db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).CountAsync(),
            await db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).CountAsync(e => e.IsDeleted),
            await db.EventUserInteractions.IgnoreQueryFilters([SoftDeleteRules.Filter]).CountAsync(),
            await db.Notifications.IgnoreQueryFilters([SoftDeleteRules.Filter]).CountAsync(),
            await db.AuditLogs.CountAsync(),
            await db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).MaxAsync(e => (DateTime?)e.UpdatedAt));
    }
}

public sealed record RowCounts(int Events, int DeletedEvents, int Interactions, int Notifications, int AuditLogs, DateTime? LastEventUpdate);
