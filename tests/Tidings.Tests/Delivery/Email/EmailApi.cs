using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Tidings.Clients;
using Tidings.Delivery.Email;
using Tidings.Events;
using Tidings.Notifications;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Delivery.Email;

/// <summary>The service with e-mail on, sending to a loopback SMTP server the fixture starts first; links use <see cref="AppAddress"/>.</summary>
public abstract class EmailApi<TDatabase> : TidingsServer<TDatabase>, IAsyncLifetime where TDatabase : TestDatabase, new()
{
    public const string AppAddress = "https://tidings.example.test";

    public LoopbackSmtpServer Smtp { get; private set; } = null!;

    async Task IAsyncLifetime.InitializeAsync()
    {
        Smtp = await LoopbackSmtpServer.StartAsync();
        await InitializeAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Smtp.DisposeAsync();
    }

    protected override void Configure(WebApplicationBuilder builder)
    {
        builder.Configuration["Email:Smtp:Host"] = "127.0.0.1";
        builder.Configuration["Email:Smtp:Port"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.Configuration["Email:Smtp:Security"] = "none";
        builder.Configuration["Email:From"] = "Tidings <tidings@example.test>";
        builder.Configuration["Email:BaseUrl"] = AppAddress;
    }

    /// <summary>What the SMTP server received for one address (the server is shared by the class's tests).</summary>
    public IReadOnlyList<MimeKit.MimeMessage> ReceivedBy(string address) =>
        Smtp.Messages.Where(m => m.To.Contains(address, StringComparer.OrdinalIgnoreCase)).Select(m => m.Message).ToList();
}

public sealed class EmailSqliteApi : EmailApi<SqliteDatabase>;
public sealed class EmailPostgresApi : EmailApi<PostgresDatabase>;

/// <summary>A clock that says one moment: what stamps created_at of rows a test writes "in the past".</summary>
public sealed class FixedClock(DateTime utc) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => new(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
}

/// <summary>People, preferences, clients, events and notifications written through the data layer, as the service writes them.</summary>
public static class EmailTestData
{
    public static async Task<User> PersonAsync(TestBusiness business, string channel, string timeZone = "UTC", Action<NotificationPreference>? configure = null)
    {
        var user = new User { Email = $"ada-{Guid.NewGuid():N}@example.test", DisplayName = "Ada Lovelace", Role = UserRoles.Member, TimeZone = timeZone };
        await using var db = business.Context();
        db.Users.Add(user);
        var preference = new NotificationPreference { UserId = user.Id, Channel = channel, UnsubscribeToken = UnsubscribeLinks.NewToken() };
        configure?.Invoke(preference);
        db.NotificationPreferences.Add(preference);
        await db.SaveChangesAsync();
        return user;
    }

    public static async Task<NotificationPreference> PreferenceAsync(TestBusiness business, Guid userId)
    {
        await using var db = business.Context();
        return await db.NotificationPreferences.AsNoTracking().SingleAsync(p => p.UserId == userId);
    }

    public static async Task<Client> ClientAsync(TestBusiness business, string name)
    {
        var client = new Client { Name = name };
        await using var db = business.Context();
        db.Clients.Add(client);
        await db.SaveChangesAsync();
        return client;
    }

    /// <summary>A notification about a new event of <paramref name="client"/> (or about nothing), created at <paramref name="at"/>.</summary>
    public static async Task<Notification> NotificationAsync(TestBusiness business, Guid userId, string title, Client? client, double relevance, DateTime? at = null)
    {
        await using var db = business.Context(at is { } moment ? new FixedClock(moment) : null);
        Event? ev = null;
        if (client is not null)
        {
            ev = new Event { ClientId = client.Id, Title = title, Category = "funding", RelevanceScore = relevance, EventDate = at ?? DateTime.UtcNow };
            db.Events.Add(ev);
        }
        var notification = new Notification
        {
            UserId = userId, Type = client is null ? NotificationTypes.SourceStopped : NotificationTypes.HighRelevanceEvent, Title = title,
            Message = $"Something about {title}.", RelatedEventId = ev?.Id, RelatedClientId = client?.Id, LinkUrl = ev is null ? null : $"/events/{ev.Id}",
        };
        db.Notifications.Add(notification);
        await db.SaveChangesAsync();
        return notification;
    }
}
