using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Tidings.Bench.Legacy;
using Tidings.Data;

namespace Tidings.Bench.Drills;

/// <summary>Batch writes cut by SIGKILL: what was sent and answered, and what the database holds after the restart.</summary>
public sealed record BatchCrashOutcome(int Sent, int Answered200, int CutOff, int FullyThere, int HalfThere, int Missing200,
    long EventsWithoutAudit, long AuditWithoutEvent, long NotificationsWithoutAudit)
{
    public bool Exact => HalfThere == 0 && Missing200 == 0 && EventsWithoutAudit == 0 && AuditWithoutEvent == 0 && NotificationsWithoutAudit == 0;
}

/// <summary>A legacy import cut by SIGKILL: whether it was cut mid-way, whether anything of it stayed, and whether a re-run completes.</summary>
public sealed record ImportCrashOutcome(int FileEvents, double KilledAfterSeconds, bool WasRunning, List<string> TablesChangedByKilledRun,
    int RerunExitCode, bool RerunVerified, long EventsAfterRerun)
{
    public bool Exact => TablesChangedByKilledRun.Count == 0 && RerunExitCode == 0 && RerunVerified;
}

/// <summary>
/// Crash: the service is killed with SIGKILL while clients post batches of events, then started again; every
/// batch answered 200 must be there whole, no batch may be there in part, and every event and notification
/// written has its audit row (and no audit row names an event that is not there). Then a legacy import is
/// killed the same way in the middle: nothing of it may stay, and running it again completes and verifies.
/// </summary>
public static class CrashDrill
{
    /// <summary>
    /// The import verb's option that names a new business; the killed run committed nothing, so the re-run
    /// creates it again under the same name.
    /// </summary>
    public const string LegacyCreateBusinessFlag = "--create-business";

    private const int BatchSize = 100;

    public static async Task<BatchCrashOutcome> BatchWritesAsync(ServiceProcess service, DrillBusiness business, string database,
        TimeSpan killAfter, CancellationToken ct)
    {
        var answered = new ConcurrentDictionary<int, int>();
        var next = -1;
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            using var http = business.Client(service.BaseAddress);
            while (!stop.IsCancellationRequested)
            {
                var batch = Interlocked.Increment(ref next);
                var events = Enumerable.Range(0, BatchSize)
                    .Select(i => DrillData.NewEvent(business.ClientIds[(batch + i) % business.ClientIds.Count], $"crash b{batch} e{i}", i)).ToList();
                try
                {
                    using var response = await http.PostAsJsonAsync("/api/events/batch", new { events }, CancellationToken.None);
                    answered[batch] = (int)response.StatusCode;
                }
                catch (HttpRequestException)
                {
                    answered[batch] = 599;
                    return;
                }
            }
        })).ToList();
        await Task.Delay(killAfter, ct);
        Console.WriteLine($"Crash: SIGKILL to the service after {killAfter.TotalSeconds:0.0} s of batch writes ({answered.Count} batches answered so far)...");
        await service.KillAsync();
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(ct);
        var present = new Dictionary<int, long>();
        await using (var counts = new NpgsqlCommand("""
            SELECT substring(title FROM '^crash b([0-9]+) ')::int, count(*) FROM events
            WHERE business_id = @business AND title LIKE 'crash b%' GROUP BY 1
            """, connection))
        {
            counts.Parameters.AddWithValue("business", business.Id);
            await using var reader = await counts.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                present[reader.GetInt32(0)] = reader.GetInt64(1);
        }
        var sent = next + 1;
        var ok = answered.Where(a => a.Value == 200).Select(a => a.Key).ToHashSet();
        return new BatchCrashOutcome(sent, ok.Count, answered.Count(a => a.Value == 599),
            present.Count(p => p.Value == BatchSize), present.Count(p => p.Value != BatchSize), ok.Count(b => present.GetValueOrDefault(b) != BatchSize),
            await ScalarAsync(connection, business.Id, """
                SELECT count(*) FROM events e WHERE e.business_id = @business AND e.title LIKE 'crash b%' AND NOT EXISTS
                (SELECT 1 FROM audit_logs a WHERE a.business_id = e.business_id AND a.table_name = 'events' AND a.action = 'CREATE' AND a.record_id = e.id::text)
                """, ct),
            await ScalarAsync(connection, business.Id, """
                SELECT count(*) FROM audit_logs a WHERE a.business_id = @business AND a.table_name = 'events' AND a.action = 'CREATE'
                AND NOT EXISTS (SELECT 1 FROM events e WHERE e.business_id = a.business_id AND e.id::text = a.record_id)
                """, ct),
            await ScalarAsync(connection, business.Id, """
                SELECT count(*) FROM notifications n WHERE n.business_id = @business AND NOT EXISTS
                (SELECT 1 FROM audit_logs a WHERE a.business_id = n.business_id AND a.table_name = 'notifications' AND a.record_id = n.id::text)
                """, ct));
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, Guid business, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("business", business);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    public static async Task<ImportCrashOutcome> LegacyImportAsync(DatabaseSettings settings, string database, int events, TimeSpan killAfter,
        string work, CancellationToken ct)
    {
        var file = await LegacyFileCache.GetOrCreateAsync(events, ct);
        // The import writes its report beside its input: a copy keeps the shared cache clean.
        var input = Path.Combine(work, "crash-legacy.db");
        File.Copy(file.Path, input, overwrite: true);
        var log = Path.Combine(work, "legacy-import.log");
        string[] args = ["legacy", "import", input, LegacyCreateBusinessFlag, "Crash Legacy Co"];

        var before = await HostileDrill.SnapshotAsync(database, ct, withoutPlatformScopeEntries: true);
        var killed = ServiceProcess.Start(ServiceProcess.Executable, args, settings, work, log);
        var clock = Stopwatch.StartNew();
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(killAfter);
            try
            {
                await killed.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
            }
        }
        var wasRunning = !killed.HasExited;
        Console.WriteLine($"Crash: SIGKILL to `tidings legacy import` after {clock.Elapsed.TotalSeconds:0.0} s ({(wasRunning ? "mid-import" : "it had already finished: raise --events")})...");
        if (wasRunning)
            killed.Kill();
        await killed.WaitForExitAsync(ct);
        var killedAfter = clock.Elapsed.TotalSeconds;
        var after = await HostileDrill.SnapshotAsync(database, ct, withoutPlatformScopeEntries: true);
        var changed = before.Keys.Union(after.Keys).Where(t => before.GetValueOrDefault(t) != after.GetValueOrDefault(t)).Order(StringComparer.Ordinal).ToList();

        using var rerun = ServiceProcess.Start(ServiceProcess.Executable, args, settings, work, log);
        await rerun.WaitForExitAsync(ct);
        var verified = false;
        var report = Path.ChangeExtension(input, ".import-report.json");
        if (File.Exists(report))
        {
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report, ct));
            verified = json.RootElement.TryGetProperty("verification", out var v) && v.TryGetProperty("tables", out var tables)
                && tables.EnumerateObject().All(t => t.Value.GetProperty("matches").GetBoolean());
        }
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(ct);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM events e JOIN businesses b ON b.id = e.business_id WHERE b.name = 'Crash Legacy Co'", connection);
        var imported = (long)(await count.ExecuteScalarAsync(ct))!;
        return new ImportCrashOutcome(file.Contents.Events, killedAfter, wasRunning, changed, rerun.ExitCode, verified, imported);
    }
}
