using System.Globalization;
using System.Text.Json;
using Tidings.Audit;
using Tidings.Data.Auditing;

namespace Tidings.Pages.Clients;

/// <summary>A client's audit entry in words: who did what, and for a change each field from what to what.</summary>
public static class ClientHistoryText
{
    /// <summary>Bookkeeping columns every save stamps: not what a person changed.</summary>
    private static readonly HashSet<string> Stamps = ["updated_at", "created_at", "last_checked_at"];

    public static string Of(AuditEntryDto entry, IReadOnlyDictionary<Guid, string> people) => entry.Action switch
    {
        AuditActions.Create => $"{entry.ActorName} added the client.",
        AuditActions.Delete => $"{entry.ActorName} moved the client to the trash.",
        AuditActions.Restore => $"{entry.ActorName} restored the client from the trash.",
        AuditActions.Update => $"{entry.ActorName} changed {Changes(entry, people)}.",
        _ => $"{entry.ActorName}: {entry.Action.ToLowerInvariant()}.",
    };

    private static string Changes(AuditEntryDto entry, IReadOnlyDictionary<Guid, string> people)
    {
        var fields = entry.ChangedFields is { ValueKind: JsonValueKind.Array } list
            ? list.EnumerateArray().Select(f => f.GetString()).OfType<string>().Where(f => !Stamps.Contains(f)).ToList()
            : [];
        if (fields.Count == 0)
            return "the client";
        return string.Join("; ", fields.Select(f => $"{Label(f)} from {Value(entry.OldValues, f, people)} to {Value(entry.NewValues, f, people)}"));
    }

    private static string Label(string column) => column switch
    {
        "assigned_to_user_id" => "the assignee",
        "health_score_source" => "who sets the health score",
        "is_active" => "active",
        _ => column.Replace('_', ' '),
    };

    private static string Value(JsonElement? values, string column, IReadOnlyDictionary<Guid, string> people)
    {
        if (values is not { ValueKind: JsonValueKind.Object } obj || !obj.TryGetProperty(column, out var value))
            return "(not recorded)";
        if (value.ValueKind == JsonValueKind.String && Guid.TryParse(value.GetString(), out var id))
            return people.TryGetValue(id, out var name) ? name : "a former user";
        return value.ValueKind switch
        {
            JsonValueKind.Null => "nothing",
            JsonValueKind.String => $"“{value.GetString()}”",
            JsonValueKind.True => "yes",
            JsonValueKind.False => "no",
            JsonValueKind.Number => value.GetDouble().ToString("0.##", CultureInfo.InvariantCulture),
            _ => value.GetRawText(),
        };
    }
}
