namespace Tidings.Notifications;

/// <summary>
/// A person's notification preferences as sent: a field left out takes its default (every kind, clients "mine", the
/// business's threshold, all categories, in_app, 8 o'clock, Monday).
/// </summary>
public sealed record NotificationPreferencesRequest(List<string>? Kinds, string? Clients, List<Guid>? TagIds, double? MinRelevance,
    List<string>? Categories, string? Channel, int? DigestHour, int? DigestDay);

/// <summary>
/// A person's notification preferences as they apply: <see cref="EffectiveMinRelevance"/> is their minimum or the
/// business's threshold; <see cref="NextDigestAt"/> (UTC) and <see cref="TimeZone"/> are read-only.
/// </summary>
public sealed record NotificationPreferencesDto(IReadOnlyList<string> Kinds, string Clients, IReadOnlyList<Guid> TagIds, double? MinRelevance,
    double EffectiveMinRelevance, IReadOnlyList<string>? Categories, string Channel, int DigestHour, int DigestDay, DateTime? NextDigestAt,
    string TimeZone)
{
    public static NotificationPreferencesDto From(NotificationPreference row, double businessThreshold, string timeZone) =>
        new(row.Kinds, row.Clients, EffectivePreferences.Of(row).TagIds.ToList(), row.MinRelevance, row.MinRelevance ?? businessThreshold,
            row.Categories, row.Channel, row.DigestHour, row.DigestDay, row.NextDigestAt, timeZone);
}
