using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Data.SoftDelete;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Clients;

/// <summary>Raw HTTP calls as a script would make them: any method, a JSON text or object body, an optional If-Match.</summary>
internal static class ApiCalls
{
    public static Task<HttpResponseMessage> CallAsync(this HttpClient http, string method, string path, string? json = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        if (ifMatch is not null)
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return http.SendAsync(request);
    }

    public static Task<HttpResponseMessage> CallAsync(this HttpClient http, string method, string path, object? body, string? ifMatch = null) =>
        http.CallAsync(method, path, body is null ? null : JsonSerializer.Serialize(body, JsonSerializerOptions.Web), ifMatch);

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    public static string ETag(this HttpResponseMessage response) =>
        response.Headers.ETag?.ToString() ?? throw new Xunit.Sdk.XunitException($"No ETag on {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}");

    /// <summary>The response's JSON, after checking its status (the body is in the message when it is not the expected one).</summary>
    public static async Task<JsonElement> ExpectAsync(this Task<HttpResponseMessage> call, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    public static Guid Id(this JsonElement json) => json.GetProperty("id").GetGuid();

    /// <summary>
    /// What a request could have written in a business: every client, tag, link and notification (deleted
    /// ones included) and the audit trail, leaving out the sign-in bookkeeping (a token's last use).
    /// Equal before and after means the request wrote nothing.
    /// </summary>
    public static async Task<string> WritesAsync(TestDatabase database, Guid businessId)
    {
        await using var db = database.Context(businessId);
        var counts = new[]
        {
            await db.Clients.IgnoreQueryFilters([SoftDeleteRules.Filter]).CountAsync(),
            await db.Clients.IgnoreQueryFilters([SoftDeleteRules.Filter]).CountAsync(c => c.IsDeleted),
            await db.Tags.IgnoreQueryFilters([SoftDeleteRules.Filter]).CountAsync(),
            await db.Tags.IgnoreQueryFilters([SoftDeleteRules.Filter]).CountAsync(t => t.IsDeleted),
            await db.ClientTags.IgnoreQueryFilters([SoftDeleteRules.Filter]).CountAsync(),
            await db.EventTags.IgnoreQueryFilters([SoftDeleteRules.Filter]).CountAsync(),
            await db.Notifications.IgnoreQueryFilters([SoftDeleteRules.Filter]).CountAsync(),
            await db.AuditLogs.CountAsync(a => a.TableName != "api_tokens"),
        };
        return string.Join(" ", counts);
    }
}
