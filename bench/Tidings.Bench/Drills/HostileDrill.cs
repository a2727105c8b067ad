using System.Net.Http.Headers;
using System.Text.Json;
using Npgsql;
using Tidings.Data.Auditing;

namespace Tidings.Bench.Drills;

/// <summary>What the hostile requests got: how many, the answers by status, the 5xx ones, and what they wrote.</summary>
public sealed record HostileOutcome(int Sent, SortedDictionary<int, int> Statuses, List<string> ServerErrors, List<string> TablesChanged,
    List<string> Skipped, SortedDictionary<string, int> Kinds, List<string> Accepted)
{
    public int FiveHundreds => Statuses.Where(s => s.Key >= 500).Sum(s => s.Value);
}

/// <summary>
/// Hostile input: reads the running service's own /openapi/v1.json, sends the bad requests HostileRequests makes
/// for every operation as a signed-in owner, and compares every table's rows before and after (row count and a
/// digest of the rows, ignoring when tokens were last used), so "nothing written" means nothing at all.
/// </summary>
public static class HostileDrill
{
    public static async Task<HostileOutcome> RunAsync(Uri service, DrillBusiness own, DrillBusiness foreign, string databaseAsSuperuser, int seed, CancellationToken ct)
    {
        using var http = own.Client(service);
        using var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json", ct));
        var generator = new HostileRequests(document.RootElement, new HostileIds(IdsOf(own), IdsOf(foreign)), seed);
        var requests = generator.All();
        // The first request with the token updates its last use; do it now, so the snapshot sees the token as it will stay.
        (await http.GetAsync("/api/me", ct)).Dispose();

        var before = await SnapshotAsync(databaseAsSuperuser, ct);
        var statuses = new SortedDictionary<int, int>();
        var kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var errors = new List<string>();
        var accepted = new List<string>();
        foreach (var request in requests)
        {
            // A fresh connection each: the service rightly closes one whose oversized body it refused unread, and a
            // request sent on such a closed pooled connection fails in the client before the service sees it.
            using var message = new HttpRequestMessage(request.Method, request.Path) { Headers = { ConnectionClose = true } };
            if (request.Body is not null)
            {
                // A large body waits for the service's go-ahead, as a careful client's upload does: the service refuses
                // one over its limit (413) before reading it and closes the connection, and a client still sending then
                // fails to send rather than reads the 413 (seen once in a loaded run).
                if (request.Body.Length > 64 * 1024)
                    message.Headers.ExpectContinue = true;
                message.Content = new ByteArrayContent(request.Body);
                if (request.ContentType is not null)
                    message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(request.ContentType);
            }
            int status;
            string body;
            try
            {
                using var response = await http.SendAsync(message, ct);
                status = (int)response.StatusCode;
                body = await response.Content.ReadAsStringAsync(ct);
            }
            catch (HttpRequestException e)
            {
                // The service closed the connection without an answer: as bad as a 500 for the caller.
                status = 599;
                body = e.Message;
            }
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var kind = request.Kind.Split(" (")[0];
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            if (status is >= 200 and < 300 && request.Method != HttpMethod.Get)
                accepted.Add($"{status} {request.Method} {Shorten(request.Path)} [{request.Operation}: {request.Kind}]");
            if (status >= 500)
                errors.Add($"{status} {request.Method} {Shorten(request.Path)} [{request.Operation}: {request.Kind}] {Shorten(body)}");
        }
        var after = await SnapshotAsync(databaseAsSuperuser, ct);
        var changed = before.Keys.Union(after.Keys).Order(StringComparer.Ordinal)
            .Where(t => before.GetValueOrDefault(t) != after.GetValueOrDefault(t))
            .Select(t => $"{t}: {Rows(before.GetValueOrDefault(t))} rows before, {Rows(after.GetValueOrDefault(t))} after{(Rows(before.GetValueOrDefault(t)) == Rows(after.GetValueOrDefault(t)) ? " (same count, rows changed)" : "")}")
            .ToList();
        return new HostileOutcome(requests.Count, statuses, errors, changed, generator.Skipped, kinds, accepted);
    }

    private static string Rows(string? snapshot) => snapshot?.Split(' ')[0] ?? "0";

    private static Dictionary<string, Guid> IdsOf(DrillBusiness business) => new()
    {
        ["client"] = business.ClientIds[0],
        ["event"] = business.EventIds[0],
        ["tag"] = business.TagId,
        ["user"] = business.OwnerId,
        ["business"] = business.Id,
    };

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..160] + "…";

    /// <summary>Every table of the database: its row count and an md5 of all its rows (as JSON, without columns named last_used*).</summary>
    /// <param name="withoutPlatformScopeEntries">Leave out audit rows that record entering the platform scope: a verb writes one
    /// before its own work begins, as the record that it ran, and keeps it whatever becomes of the work.</param>
    public static async Task<Dictionary<string, string>> SnapshotAsync(string connectionString, CancellationToken ct, bool withoutPlatformScopeEntries = false)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename", connection))
        await using (var reader = await list.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                tables.Add(reader.GetString(0));
        var snapshot = new Dictionary<string, string>();
        foreach (var table in tables)
        {
            // The table names come from the catalogue, quoted.
            await using var digest = new NpgsqlCommand($$"""
                SELECT count(*) || ' ' || coalesce(md5(string_agg(r, '|' ORDER BY r)), '')
                FROM (SELECT (SELECT coalesce(jsonb_object_agg(k, v), '{}'::jsonb) FROM jsonb_each(to_jsonb(t)) AS e(k, v) WHERE k NOT LIKE 'last\_used%')::text AS r
                      FROM "{{table.Replace("\"", "\"\"")}}" AS t {{(withoutPlatformScopeEntries && table is "audit_logs" or "platform_audit_logs" ? $"WHERE action <> '{AuditActions.PlatformScope}'" : "")}}) AS rows
                """, connection);
            snapshot[table] = (string)(await digest.ExecuteScalarAsync(ct))!;
        }
        return snapshot;
    }
}
