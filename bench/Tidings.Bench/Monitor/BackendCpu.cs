using System.Globalization;
using Npgsql;
using Tidings.Data;

namespace Tidings.Bench.Monitor;

/// <summary>
/// CPU spent by the PostgreSQL backends serving the bench database, when the server runs on this machine: their pids
/// from pg_stat_activity, their user and system time from /proc. A backend that ends between two samples is not
/// counted (the monitors' connection pools keep theirs open through a round). Nothing off Linux, on SQLite, or when
/// the server is elsewhere.
/// </summary>
public sealed class BackendCpu(BenchDatabase database)
{
    private const double TicksPerSecond = 100;

    public async Task<Dictionary<int, long>?> SampleAsync(CancellationToken ct)
    {
        if (database.Provider != DatabaseProvider.Postgres || !OperatingSystem.IsLinux())
            return null;
        await using var connection = new NpgsqlConnection(database.LoaderConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE datname = current_database()", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var ticks = new Dictionary<int, long>();
        while (await reader.ReadAsync(ct))
        {
            var pid = reader.GetInt32(0);
            if (Ticks(pid) is { } spent)
                ticks[pid] = spent;
        }
        return ticks.Count == 0 ? null : ticks;
    }

    /// <summary>Seconds spent between two samples by the backends of the second (a new backend counts from zero).</summary>
    public static double? Spent(Dictionary<int, long>? before, Dictionary<int, long>? after) =>
        before is null || after is null ? null : after.Sum(b => b.Value - before.GetValueOrDefault(b.Key)) / TicksPerSecond;

    /// <summary>utime + stime of a process, fields 14 and 15 of /proc/pid/stat (counted after the command name, which may hold spaces).</summary>
    private static long? Ticks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
