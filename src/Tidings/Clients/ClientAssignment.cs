using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Notifications;

namespace Tidings.Clients;

/// <summary>
/// Who looks after a client. POST, PATCH and PUT /assignee all go through here, so each of them
/// refuses the same people and notifies the same way.
/// </summary>
public static class ClientAssignment
{
    /// <summary>A live, active user of the current business (the query filters keep other businesses out).</summary>
    public static Task<bool> IsAssignableAsync(TidingsDbContext db, Guid userId, CancellationToken ct) =>
        db.Users.AnyAsync(u => u.Id == userId && u.IsActive, ct);

    public static IResult NotAssignable() => TypedResults.Problem(
        title: "Cannot assign the client to that user",
        detail: "The assignee must be an active user of this business.",
        statusCode: StatusCodes.Status422UnprocessableEntity);

    /// <summary>Sets the assignee; a new assignee other than the caller is notified in the same save, unless they removed the kind.</summary>
    public static async Task AssignAsync(TidingsDbContext db, Client client, Guid? userId, CancellationToken ct)
    {
        if (client.AssignedToUserId == userId)
            return;
        client.AssignedToUserId = userId;
        if (userId is { } assignee)
            await Notifier.ClientAssignedAsync(db, client, assignee, ct);
    }
}
