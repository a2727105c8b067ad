using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Notifications;

public sealed record NotificationDto(Guid Id, string Type, string Title, string Message, string? LinkUrl,
    Guid? RelatedEventId, Guid? RelatedClientId, bool IsRead, DateTime? ReadAt, DateTime CreatedAt);
public sealed record UnreadCountDto(int Count);
public sealed record MarkedDto(int Marked);

/// <summary>The sort key of the notification list: newest first by creation, then id.</summary>
public sealed record NotificationCursor(DateTime CreatedAt, Guid Id);

/// <summary>
/// The caller's own notifications. Every query is narrowed to the caller's user id on top of the
/// tenant filter, so a colleague's notification answers 404 exactly like another business's.
/// </summary>
public static class NotificationsApi
{
    /// <summary>Read-all marks this many per transaction, each batch with one audit row listing its ids.</summary>
    public const int MarkAllBatchSize = 1000;

    public static IEndpointRouteBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        var notifications = app.MapGroup("/api/notifications").WithTags("Notifications").RequireAuthorization(Policies.Viewer);
        notifications.MapGet("", ListAsync).WithName("ListNotifications")
            .WithSummary("The caller's notifications, newest first (keyset cursor); unread=true for the unread ones only.")
            .Produces<Page<NotificationDto>>().ProducesValidationProblem();
        notifications.MapGet("/unread-count", UnreadCountAsync).WithName("CountUnreadNotifications")
            .WithSummary("How many of the caller's notifications are unread.");
        notifications.MapPost("/{id}/read", PostReadAsync).WithName("MarkNotificationRead")
            .WithSummary("Mark one of the caller's notifications read (idempotent; read_at is the first time).");
        notifications.MapPost("/read-all", PostReadAllAsync).WithName("MarkAllNotificationsRead")
            .WithSummary("Mark all of the caller's notifications read; answers how many were unread.");
        return app;
    }

    private static IQueryable<Notification> Own(TidingsDbContext db, ClaimsPrincipal principal)
    {
        var userId = principal.UserId();
        return db.Notifications.Where(n => n.UserId == userId);
    }

    private static async Task<IResult> ListAsync(ClaimsPrincipal principal, TidingsDbContext db, bool? unread, int? limit, string? cursor, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var take = Paging.Limit(limit, errors);
        if (errors.Any)
            return errors.Problem();
        return TypedResults.Ok(await PageAsync(db, principal, unread, take, Paging.Decode<NotificationCursor>(cursor), ct));
    }

    /// <summary>The caller's notifications, newest first (unread ones only when asked): the API's list and the notifications page's.</summary>
    public static async Task<Page<NotificationDto>> PageAsync(TidingsDbContext db, ClaimsPrincipal principal, bool? unread, int take, NotificationCursor? after, CancellationToken ct)
    {
        var query = Own(db, principal).AsNoTracking();
        if (unread is { } onlyUnread)
            query = query.Where(n => n.IsRead != onlyUnread);
        if (after is not null)
        {
            var createdAt = DateTime.SpecifyKind(after.CreatedAt, DateTimeKind.Utc);
            query = query.Where(n => n.CreatedAt < createdAt || (n.CreatedAt == createdAt && n.Id.CompareTo(after.Id) < 0));
        }
        var rows = await query.OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).Take(take + 1).ToListAsync(ct);
        return Paging.Of(rows, take, ToDto, n => Paging.Encode(new NotificationCursor(n.CreatedAt, n.Id)));
    }

    private static async Task<Ok<UnreadCountDto>> UnreadCountAsync(ClaimsPrincipal principal, TidingsDbContext db, CancellationToken ct) =>
        TypedResults.Ok(new UnreadCountDto(await CountUnreadAsync(db, principal, ct)));

    /// <summary>How many of the caller's notifications are unread: the API's count and, kept a while (UnreadCounts), the navigation bar's.</summary>
    public static Task<int> CountUnreadAsync(TidingsDbContext db, ClaimsPrincipal principal, CancellationToken ct) =>
        CountUnreadAsync(db, principal.UserId(), ct);

    public static Task<int> CountUnreadAsync(TidingsDbContext db, Guid userId, CancellationToken ct) =>
        db.Notifications.CountAsync(n => n.UserId == userId && !n.IsRead, ct);

    private static async Task<Results<Ok<NotificationDto>, NotFound>> PostReadAsync(Guid id, ClaimsPrincipal principal, TidingsDbContext db, TimeProvider clock, CancellationToken ct) =>
        await MarkReadAsync(db, principal, id, clock, ct) is { } read ? TypedResults.Ok(read) : TypedResults.NotFound();

    /// <summary>Idempotent: reading a read notification again keeps its first read_at and writes nothing. Null when the caller has none by that id.</summary>
    public static async Task<NotificationDto?> MarkReadAsync(TidingsDbContext db, ClaimsPrincipal principal, Guid id, TimeProvider clock, CancellationToken ct)
    {
        var notification = await Own(db, principal).SingleOrDefaultAsync(n => n.Id == id, ct);
        if (notification is null)
            return null;
        if (!notification.IsRead)
        {
            notification.IsRead = true;
            notification.ReadAt = StoredTime.Now(clock);
            await db.SaveChangesAsync(ct);
        }
        return ToDto(notification);
    }

    private static async Task<Ok<MarkedDto>> PostReadAllAsync(ClaimsPrincipal principal, TidingsDbContext db, TimeProvider clock, CancellationToken ct) =>
        TypedResults.Ok(new MarkedDto(await MarkAllReadAsync(db, principal, clock, ct)));

    /// <summary>Marks every unread notification of the caller read, a batch per transaction; answers how many were unread.</summary>
    public static async Task<int> MarkAllReadAsync(TidingsDbContext db, ClaimsPrincipal principal, TimeProvider clock, CancellationToken ct)
    {
        var now = StoredTime.Now(clock);
        try
        {
            return await BatchedUpdate.RunAsync(db, Own(db, principal), n => !n.IsRead,
                set => set.SetProperty(n => n.IsRead, true).SetProperty(n => n.ReadAt, now),
                new Dictionary<string, object?> { ["is_read"] = true, ["read_at"] = now }, "read-all", MarkAllBatchSize, now, ct);
        }
        finally
        {
            // Its batches write past the change tracker, where UnreadCounts would hear them; a failed one may have committed some.
            UnreadCounts.Forget(principal.UserId());
        }
    }

    private static NotificationDto ToDto(Notification n) =>
        new(n.Id, n.Type, n.Title, n.Message, n.LinkUrl, n.RelatedEventId, n.RelatedClientId, n.IsRead, n.ReadAt, n.CreatedAt);
}
