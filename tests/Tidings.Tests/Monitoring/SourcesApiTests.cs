using System.Net;
using Microsoft.AspNetCore.Builder;
using Tidings.Tests.Clients;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Monitoring;

public abstract class SourcesApiTests<TDatabase>(MonitorApi<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task Bad_source_requests_are_refused_with_their_reason_and_change_nothing()
    {
        var owner = await server.SignUpAsync();
        var client = await owner.Http.CallAsync("POST", "/api/clients", new { name = "Strict Inc" }).ExpectAsync(HttpStatusCode.Created);
        var path = $"/api/clients/{client.Id()}/sources";
        var feed = server.Site.Url("/strict/feed.xml").AbsoluteUri;
        var before = (await owner.Http.GetAsync(path).ExpectAsync()).GetArrayLength();

        await Refused(owner.Http.CallAsync("POST", path, new { url = feed }), HttpStatusCode.BadRequest, "kind");
        await Refused(owner.Http.CallAsync("POST", path, new { url = feed, kind = "podcast" }), HttpStatusCode.BadRequest, "kind");
        await Refused(owner.Http.CallAsync("POST", path, new { kind = "feed" }), HttpStatusCode.BadRequest, "url");
        await Refused(owner.Http.CallAsync("POST", path, new { url = "ftp://example.org/feed", kind = "feed" }), HttpStatusCode.BadRequest, "url");
        await Refused(owner.Http.CallAsync("POST", path, new { url = "https://user:secret@example.org/feed", kind = "feed" }), HttpStatusCode.BadRequest, "url");
        await Refused(owner.Http.CallAsync("POST", path, new { url = "/relative/feed.xml", kind = "feed" }), HttpStatusCode.BadRequest, "url");
        await Refused(owner.Http.CallAsync("POST", path, new { url = feed, kind = "feed", keep = "some" }), HttpStatusCode.BadRequest, "keep");
        await Refused(owner.Http.CallAsync("POST", path, new { url = feed, kind = "news_search" }), HttpStatusCode.BadRequest, "url");
        await owner.Http.CallAsync("POST", path, """{"url": 5, "kind": "feed"}""").ExpectAsync(HttpStatusCode.BadRequest);
        await owner.Http.CallAsync("POST", path, """{"url": "https://example.org/feed", "kind": "feed", "colour": "red"}""").ExpectAsync(HttpStatusCode.BadRequest);
        await owner.Http.CallAsync("POST", "/api/clients/" + Guid.NewGuid() + "/sources", new { url = feed, kind = "feed" }).ExpectAsync(HttpStatusCode.NotFound);
        // Does not resolve: the .invalid top-level domain never does.
        var unresolved = await owner.Http.CallAsync("POST", path, new { url = "http://nowhere.invalid/feed", kind = "feed" }).ExpectAsync(HttpStatusCode.UnprocessableEntity);
        Assert.False(string.IsNullOrWhiteSpace(unresolved.GetProperty("detail").GetString()));
        Assert.Equal(before, (await owner.Http.GetAsync(path).ExpectAsync()).GetArrayLength());

        var source = await owner.Http.CallAsync("POST", path, new { url = feed, kind = "feed" }).ExpectAsync(HttpStatusCode.Created);
        await owner.Http.CallAsync("POST", path, new { url = feed, kind = "feed" }).ExpectAsync(HttpStatusCode.Conflict);
        // The news search came with the client; a second one is the same search.
        await owner.Http.CallAsync("POST", path, new { kind = "news_search" }).ExpectAsync(HttpStatusCode.Conflict);

        var read = await owner.Http.GetAsync($"/api/sources/{source.Id()}");
        await Refused(owner.Http.CallAsync("PATCH", $"/api/sources/{source.Id()}", new { keep = "most" }), HttpStatusCode.BadRequest, "keep");
        await Refused(owner.Http.CallAsync("PATCH", $"/api/sources/{source.Id()}", new { url = "javascript:alert(1)" }), HttpStatusCode.BadRequest, "url");
        await owner.Http.CallAsync("PATCH", $"/api/sources/{source.Id()}", """{"kind": "website"}""").ExpectAsync(HttpStatusCode.BadRequest);
        await owner.Http.CallAsync("PATCH", $"/api/sources/{source.Id()}", """{"stopped": null}""").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(read.ETag(), (await owner.Http.GetAsync($"/api/sources/{source.Id()}")).ETag());
        await owner.Http.CallAsync("PATCH", $"/api/sources/{source.Id()}", new { keep = "all" }, ifMatch: "\"stale\"").ExpectAsync(HttpStatusCode.PreconditionFailed);

        foreach (var missing in new[] { $"/api/sources/{Guid.NewGuid()}", $"/api/sources/{Guid.NewGuid()}/check" })
            await owner.Http.CallAsync(missing.EndsWith("check") ? "POST" : "GET", missing).ExpectAsync(HttpStatusCode.NotFound);
        await owner.Http.GetAsync("/api/sources/not-a-guid").ExpectAsync(HttpStatusCode.BadRequest);

        var noDomain = await owner.Http.CallAsync("POST", $"{path}/discover", new { }).ExpectAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("domain", noDomain.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_member_stops_restarts_changes_and_removes_a_source_and_a_viewer_only_reads()
    {
        var owner = await server.SignUpAsync();
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer);
        var client = await owner.Http.CallAsync("POST", "/api/clients", new { name = "Lifecycle Ltd" }).ExpectAsync(HttpStatusCode.Created);
        var source = await owner.Http.CallAsync("POST", $"/api/clients/{client.Id()}/sources",
            new { url = server.Site.Url("/lifecycle/feed.xml").AbsoluteUri, kind = "feed" }).ExpectAsync(HttpStatusCode.Created);

        var stopped = await owner.Http.CallAsync("PATCH", $"/api/sources/{source.Id()}", new { stopped = true }).ExpectAsync();
        Assert.Equal("stopped", stopped.GetProperty("status").GetString());
        Assert.Contains("Stopped by", stopped.GetProperty("stoppedReason").GetString());
        var moved = await owner.Http.CallAsync("PATCH", $"/api/sources/{source.Id()}",
            new { url = server.Site.Url("/lifecycle/other.xml").AbsoluteUri, keep = "all", stopped = false }).ExpectAsync();
        Assert.Equal(("active", "all", server.Site.Url("/lifecycle/other.xml").AbsoluteUri),
            (moved.GetProperty("status").GetString(), moved.GetProperty("keep").GetString(), moved.GetProperty("feedUrl").GetString()));

        Assert.Contains(source.Id().ToString(), await viewer.Http.GetStringAsync($"/api/clients/{client.Id()}/sources"));
        await viewer.Http.CallAsync("PATCH", $"/api/sources/{source.Id()}", new { keep = "mentions" }).ExpectAsync(HttpStatusCode.Forbidden);
        await viewer.Http.CallAsync("DELETE", $"/api/sources/{source.Id()}").ExpectAsync(HttpStatusCode.Forbidden);
        await viewer.Http.CallAsync("POST", $"/api/clients/{client.Id()}/sources", new { url = "https://example.org/x", kind = "feed" }).ExpectAsync(HttpStatusCode.Forbidden);

        await owner.Http.CallAsync("DELETE", $"/api/sources/{source.Id()}").ExpectAsync(HttpStatusCode.NoContent);
        await owner.Http.GetAsync($"/api/sources/{source.Id()}").ExpectAsync(HttpStatusCode.NotFound);
        Assert.DoesNotContain(source.Id().ToString(), await owner.Http.GetStringAsync($"/api/clients/{client.Id()}/sources"));
        var history = await owner.Http.GetStringAsync($"/api/audit?table=sources&recordId={source.Id()}");
        Assert.Contains("DELETE", history);
    }

    private static async Task Refused(Task<HttpResponseMessage> call, HttpStatusCode status, string field)
    {
        var problem = await call.ExpectAsync(status);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no error for {field}: {problem}");
    }
}

/// <summary>The address rules as a deployment has them by default: no private, loopback or link-local address, when adding and when fetching.</summary>
public abstract class PrivateAddressTests<TDatabase>(StrictMonitorApi<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Theory]
    [InlineData("http://127.0.0.1:9/feed.xml")]
    [InlineData("http://localhost/feed.xml")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://10.1.2.3/feed")]
    [InlineData("http://[::1]/feed")]
    public async Task A_source_at_a_private_address_is_refused_when_added(string url)
    {
        var owner = await server.SignUpAsync();
        var client = await owner.Http.CallAsync("POST", "/api/clients", new { name = "Inside Job" }).ExpectAsync(HttpStatusCode.Created);
        var refused = await owner.Http.CallAsync("POST", $"/api/clients/{client.Id()}/sources", new { url, kind = "feed" }).ExpectAsync(HttpStatusCode.UnprocessableEntity);
        Assert.False(string.IsNullOrWhiteSpace(refused.GetProperty("detail").GetString()));
        Assert.Empty((await owner.Http.GetAsync($"/api/clients/{client.Id()}/sources").ExpectAsync()).EnumerateArray());
    }

    [Fact]
    public async Task A_website_on_a_private_address_is_refused_when_fetched()
    {
        var owner = await server.SignUpAsync();
        await using var site = await LoopbackSite.StartAsync();
        site.Serve("/", SitePage.Text("<html><head><link rel=alternate type=application/rss+xml href=/feed.xml></head></html>"));
        // A client's domain is not checked when typed; its website source is refused at connection time.
        var client = await owner.Http.CallAsync("POST", "/api/clients", new { name = "Loopy", domain = site.Url("/").AbsoluteUri }).ExpectAsync(HttpStatusCode.Created);
        var website = Assert.Single((await owner.Http.GetAsync($"/api/clients/{client.Id()}/sources").ExpectAsync()).EnumerateArray());

        var check = await owner.Http.CallAsync("POST", $"/api/sources/{website.Id()}/check").ExpectAsync();

        Assert.Equal("failed", check.GetProperty("outcome").GetString());
        Assert.Empty(site.Requests);
        Assert.Equal("failing", check.GetProperty("source").GetProperty("status").GetString());
    }
}

public abstract class StrictMonitorApi<TDatabase> : TidingsServer<TDatabase> where TDatabase : TestDatabase, new()
{
    protected override void Configure(WebApplicationBuilder builder) => builder.Configuration["Monitoring:AllowPrivateAddresses"] = "false";
}

public sealed class StrictMonitorSqliteApi : StrictMonitorApi<SqliteDatabase>;
public sealed class SourcesApiTests_Sqlite(MonitorSqliteApi server) : SourcesApiTests<SqliteDatabase>(server), IClassFixture<MonitorSqliteApi>;
public sealed class SourcesApiTests_Postgres(MonitorPostgresApi server) : SourcesApiTests<PostgresDatabase>(server), IClassFixture<MonitorPostgresApi>;
public sealed class PrivateAddressTests_Sqlite(StrictMonitorSqliteApi server) : PrivateAddressTests<SqliteDatabase>(server), IClassFixture<StrictMonitorSqliteApi>;
