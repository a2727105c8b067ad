using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Tidings.Legacy;

public sealed record OldUser(long Id, object? Email, object? FullName, object? HashedPassword, object? IsActive, object? CreatedAt);

public sealed record OldClient(long Id, object? Name, object? Domain, object? Industry, object? Description, object? SearchKeywords,
    object? IsActive, object? AccountOwner, object? Tier, object? HealthScore, object? Notes, object? CreatedAt, object? UpdatedAt, object? LastCheckedAt);

public sealed record OldEvent(long Id, object? ClientId, object? Title, object? Description, object? Url, object? Source, object? Category,
    object? RelevanceScore, object? SentimentScore, object? EventDate, object? DiscoveredAt, object? IsRead, object? IsStarred);

/// <summary>
/// The old tables, read from an old SQLite file (or, in place, from its renamed *_old tables). Users and
/// clients are few and read whole; events are streamed in id order.
/// </summary>
public sealed class LegacySource(SqliteConnection connection, string tableSuffix, string name) : IAsyncDisposable
{
    public string Name { get; } = name;
    private SqliteConnection Connection { get; } = connection;

    private string Table(string table) => "\"" + table + tableSuffix + "\"";

    /// <summary>Opens an old .db file read-only, or a JSON backup from `legacy export` restored into a temporary file.</summary>
    public static async Task<LegacySource> OpenAsync(string path, CancellationToken ct)
    {
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(path))
                throw new VerbFailedException($"{path}: no such file.");
            var restored = Path.Combine(Path.GetTempPath(), $"tidings-legacy-{Guid.NewGuid():N}.db");
            try
            {
                await LegacyBackup.RestoreAsync(path, restored, ct);
                var connection = await LegacyBackup.OpenReadOnlyAsync(restored, ct);
                return new LegacySource(connection, "", Path.GetFileName(path)) { _temporaryFile = restored };
            }
            catch
            {
                File.Delete(restored);
                throw;
            }
        }
        return new LegacySource(await LegacyBackup.OpenReadOnlyAsync(path, ct), "", Path.GetFileName(path));
    }

    private string? _temporaryFile;

    public async Task EnsureTablesAsync(CancellationToken ct)
    {
        foreach (var table in new[] { "users", "clients", "events" })
        {
            await using var command = Connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $name";
            command.Parameters.AddWithValue("$name", table + tableSuffix);
            if ((long)(await command.ExecuteScalarAsync(ct))! == 0)
                throw new VerbFailedException($"{Name}: no {table + tableSuffix} table; is this the old app's database?");
        }
    }

    public async Task<List<OldUser>> UsersAsync(CancellationToken ct)
    {
        var users = new List<OldUser>();
        await foreach (var r in RowsAsync($"SELECT id, email, full_name, hashed_password, is_active, created_at FROM {Table("users")} ORDER BY id", ct))
            users.Add(new OldUser((long)r[0]!, r[1], r[2], r[3], r[4], r[5]));
        return users;
    }

    public async Task<List<OldClient>> ClientsAsync(CancellationToken ct)
    {
        var clients = new List<OldClient>();
        await foreach (var r in RowsAsync($"SELECT id, name, domain, industry, description, search_keywords, is_active, account_owner, tier, health_score, notes, created_at, updated_at, last_checked_at FROM {Table("clients")} ORDER BY id", ct))
            clients.Add(new OldClient((long)r[0]!, r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13]));
        return clients;
    }

    public async Task<long> EventCountAsync(CancellationToken ct)
    {
        await using var command = Connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {Table("events")}";
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Client ids that events point at but no client has (hard-deleted clients), plus 0 standing for
    /// events whose client_id is not an id at all.
    /// </summary>
    public async Task<IReadOnlyList<long>> MissingClientKeysAsync(CancellationToken ct)
    {
        var keys = new List<long>();
        await foreach (var r in RowsAsync($"SELECT DISTINCT CASE WHEN typeof(client_id) = 'integer' THEN client_id ELSE 0 END FROM {Table("events")} " +
                                          $"WHERE typeof(client_id) <> 'integer' OR client_id NOT IN (SELECT id FROM {Table("clients")}) ORDER BY 1", ct))
            keys.Add((long)r[0]!);
        return keys;
    }

    public async IAsyncEnumerable<OldEvent> EventsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var r in RowsAsync($"SELECT id, client_id, title, description, url, source, category, relevance_score, sentiment_score, event_date, discovered_at, is_read, is_starred FROM {Table("events")} ORDER BY id", ct))
            yield return new OldEvent((long)r[0]!, r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12]);
    }

    private async IAsyncEnumerable<object?[]> RowsAsync(string sql, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var command = Connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            yield return row;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        if (_temporaryFile is not null)
        {
            SqliteConnection.ClearAllPools();
            File.Delete(_temporaryFile);
        }
    }
}
