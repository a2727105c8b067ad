using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Delivery.Outbox;
using Tidings.Notifications;

namespace Tidings.Delivery.Email;

/// <summary>
/// Puts the digests that are due in the outbox, one business at a time (the dispatcher calls it inside the business's
/// tenant). A digest covers [the end of the last one, the due time): a process that was down for days sends one digest
/// covering all of it, not one per day missed, and a period without notifications sends nothing. Either way the
/// schedule moves on to the next local digest hour after now.
/// </summary>
public static class Digests
{
    public const string Daily = "daily";
    public const string Weekly = "weekly";

    /// <summary>Enqueues the business's due digests and saves; answers how many were enqueued.</summary>
    public static async Task<int> EnqueueDueAsync(TidingsDbContext db, DateTime now, CancellationToken ct)
    {
        var due = await db.NotificationPreferences
            .Where(p => p.NextDigestAt != null && p.NextDigestAt <= now
                        && (p.Channel == NotificationChannels.DailyDigest || p.Channel == NotificationChannels.WeeklyDigest))
            .OrderBy(p => p.NextDigestAt)
            .ToListAsync(ct);
        if (due.Count == 0)
            return 0;
        var userIds = due.Select(p => p.UserId).ToList();
        var zones = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id) && u.IsActive)
            .ToDictionaryAsync(u => u.Id, u => u.TimeZone, ct);

        var enqueued = new Dictionary<NotificationPreference, OutboxMessage>(ReferenceEqualityComparer.Instance);
        foreach (var preference in due)
        {
            var to = DateTime.SpecifyKind(preference.NextDigestAt!.Value, DateTimeKind.Utc);
            var from = preference.LastDigestAt is { } last && last < to
                ? DateTime.SpecifyKind(last, DateTimeKind.Utc)
                : to - DigestSchedule.Period(preference.Channel);
            // A deleted or deactivated person gets no digest; their schedule still moves, so a restored one resumes.
            if (zones.ContainsKey(preference.UserId)
                && await db.Notifications.AnyAsync(n => n.UserId == preference.UserId && n.CreatedAt >= from && n.CreatedAt < to, ct))
            {
                var message = new OutboxMessage
                {
                    BusinessId = preference.BusinessId,
                    Channel = OutboxChannels.Email,
                    UserId = preference.UserId,
                    Type = EmailMessageTypes.Digest,
                    Payload = EmailMessageTypes.DigestPayload(from, to,
                        preference.Channel == NotificationChannels.WeeklyDigest ? Weekly : Daily),
                    NextAttemptAt = now,
                    CreatedAt = now,
                };
                db.OutboxMessages.Add(message);
                enqueued[preference] = message;
            }
            preference.LastDigestAt = to;
            preference.NextDigestAt = DigestSchedule.Next(preference.Channel, preference.DigestHour, preference.DigestDay,
                zones.GetValueOrDefault(preference.UserId, "UTC"), now);
        }
        return await SaveAsync(db, enqueued, ct);
    }

    /// <summary>
    /// One save for the business. updated_at is each preference's row version: a preference another dispatcher moved
    /// on (or its person changed) since it was read is left to them, with its digest, and the rest saved again.
    /// </summary>
    private static async Task<int> SaveAsync(TidingsDbContext db, Dictionary<NotificationPreference, OutboxMessage> enqueued, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                await db.SaveChangesAsync(ct);
                return enqueued.Count;
            }
            catch (DbUpdateConcurrencyException e)
            {
                var taken = e.Entries.Select(entry => entry.Entity).OfType<NotificationPreference>().ToList();
                if (taken.Count == 0)
                    throw;
                foreach (var preference in taken)
                {
                    db.Entry(preference).State = EntityState.Detached;
                    if (enqueued.Remove(preference, out var message))
                        db.Entry(message).State = EntityState.Detached;
                }
            }
        }
    }
}
