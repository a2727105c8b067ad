using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Tidings.Tests.Clients;
using Tidings.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Tidings.Tests.Pages;

/// <summary>
/// Times on the pages in the person's own time zone, in a real browser: the zone set on /account reaches the very next page
/// (the sign-in cache forgets the person on that save), event days, sessions and the audit log follow it, and the machine-readable
/// <c>&lt;time datetime&gt;</c> stays the UTC instant.
/// </summary>
public abstract class TimeZonePagesTests<TDatabase>(BrowserServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private static readonly DateTime NightInUtc = new(2026, 3, 10, 2, 0, 0, DateTimeKind.Utc);
    private const string NightIso = "2026-03-10T02:00:00Z";

    private string Shot(string what) => $"{GetType().Name}.{what}";

    [Fact]
    public async Task A_person_who_sets_New_York_reads_the_feed_their_sessions_and_the_audit_log_in_New_York_time()
    {
        var owner = await server.SignUpAsync();
        var client = await BrowserFlows.AddClientAsync(server, owner, "Acme Rockets");
        var eventId = await BrowserFlows.AddEventAsync(server, owner, client, "Acme Rockets launches at night", eventDate: NightInUtc);
        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);

        var date = page.Locator("article").Filter(new() { HasText = "Acme Rockets launches at night" }).Locator("time");
        await Expect(date).ToHaveTextAsync("10 Mar 2026");
        await Expect(date).ToHaveAttributeAsync("datetime", NightIso);
        await page.GotoAsync("/account");
        await Expect(page.Locator("#times-shown-in")).ToHaveTextAsync("Times are shown in UTC.");

        await SessionsSignedInAsync(owner, NightInUtc);
        await page.GetByLabel("Time zone").FillAsync("America/New_York");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save profile" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Profile saved.");
        // The very next page already reads the new zone: the save made the sign-in cache forget this person.
        await Expect(page.Locator("#times-shown-in")).ToHaveTextAsync("Times are shown in America/New_York.");
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the profile page in New York");
        await ScreenshotsAsync(page, "profile");

        await page.GotoAsync("/");
        await Expect(date).ToHaveTextAsync("9 Mar 2026");
        await Expect(date).ToHaveAttributeAsync("datetime", NightIso);
        await page.GotoAsync($"/events/{eventId}");
        await Expect(page.Locator("dl.facts time")).ToHaveTextAsync("9 Mar 2026");

        await page.GotoAsync("/account/sessions");
        var current = page.Locator("#sessions > li.current");
        await Expect(current).ToContainTextAsync("Signed in 9 Mar 2026 22:00");
        await Expect(current.Locator(".card-title time")).ToHaveAttributeAsync("datetime", NightIso);
        Assert.DoesNotContain("UTC", await page.Locator("#sessions").InnerTextAsync());
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the sessions page in New York");
        await ScreenshotsAsync(page, "sessions");

        await page.GotoAsync("/audit");
        await Expect(page.GetByText("Times and days are in your time zone, America/New_York.")).ToBeVisibleAsync();
        var newest = page.Locator(".audit-entry").Filter(new() { HasText = "Owner changed a record of users" }).First.Locator("p time");
        var at = DateTime.Parse((await newest.GetAttributeAsync("datetime"))!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        await Expect(newest).ToHaveTextAsync(TimeZoneInfo.ConvertTimeFromUtc(at, newYork).ToString("d MMM yyyy HH:mm", CultureInfo.InvariantCulture));
        await BrowserServer<TDatabase>.AssertAccessibleAsync(page, "the audit log in New York");
    }

    [Fact]
    public async Task The_audit_logs_days_are_the_persons_own_days()
    {
        var owner = await server.SignUpAsync();
        await owner.Http.CallAsync("POST", "/api/clients", new { name = "Globex" }).ExpectAsync(System.Net.HttpStatusCode.Created);
        var page = await server.NewPageAsync();
        await BrowserFlows.SignInAsync(page, owner.Email);
        await page.GotoAsync("/audit?table=clients");
        var entry = page.Locator(".audit-entry").Filter(new() { HasText = "Owner created a record of clients" });
        var at = DateTime.Parse((await entry.Locator("p time").GetAttributeAsync("datetime"))!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);

        // A zone whose day is not the UTC day at that instant, so a filter by UTC days would miss the entry.
        var zone = at.Hour >= 10 ? "Pacific/Kiritimati" : "Pacific/Pago_Pago";
        await owner.Http.CallAsync("PATCH", "/api/me", new { timeZone = zone }).ExpectAsync();
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(at, TimeZoneInfo.FindSystemTimeZoneById(zone)));
        Assert.NotEqual(DateOnly.FromDateTime(at), day);

        await page.GotoAsync($"/audit?table=clients&from={Day(day)}&to={Day(day)}");
        await Expect(entry).ToHaveCountAsync(1);
        await Expect(entry.Locator("p time")).ToContainTextAsync(day.ToString("d MMM yyyy", CultureInfo.InvariantCulture));
        await page.GotoAsync($"/audit?table=clients&to={Day(day.AddDays(-1))}");
        await Expect(page.GetByText("No entries match.")).ToBeVisibleAsync();
        await page.GotoAsync($"/audit?table=clients&from={Day(day.AddDays(1))}");
        await Expect(page.GetByText("No entries match.")).ToBeVisibleAsync();
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Dates every session of the person as signed in at <paramref name="at"/> (stamping dates them now).</summary>
    private async Task SessionsSignedInAsync(ApiUser user, DateTime at)
    {
        await using var db = server.Database.Context(user.BusinessId, TestActors.User(user.Id, user.BusinessId));
        using (db.AllowDirectWrites("test: the sessions began earlier"))
            await db.ApiTokens.Where(t => t.UserId == user.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.CreatedAt, at));
    }

    private Task ScreenshotsAsync(IPage page, string what) => BrowserServer<TDatabase>.ScreenshotsAtBothWidthsAsync(page, Shot(what), what);
}

public sealed class TimeZonePagesTests_Sqlite(SqliteBrowser server) : TimeZonePagesTests<SqliteDatabase>(server), IClassFixture<SqliteBrowser>;
public sealed class TimeZonePagesTests_Postgres(PostgresBrowser server) : TimeZonePagesTests<PostgresDatabase>(server), IClassFixture<PostgresBrowser>;
