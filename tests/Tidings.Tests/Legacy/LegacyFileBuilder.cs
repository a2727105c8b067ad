using Microsoft.Data.Sqlite;

namespace Tidings.Tests.Legacy;

/// <summary>
/// Writes an old-app SQLite file in code: the legacy schema exactly, and rows as messy as real files
/// are (odd timestamp shapes, text in number columns, orphan events, placeholder owners...).
/// </summary>
public sealed class LegacyFileBuilder : IDisposable
{
    private readonly SqliteConnection _connection;

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"legacy-{Guid.NewGuid():N}.db");

    public LegacyFileBuilder()
    {
        // The old app never turned foreign keys on, which is how orphan events got in.
        _connection = new SqliteConnection($"Data Source={Path};Pooling=False;Foreign Keys=False");
        _connection.Open();
        Execute(Tidings.Legacy.LegacySchema.Sql);
    }

    public long User(string email, string? fullName, string? hashedPassword, object isActive, object createdAt) =>
        Insert("INSERT INTO users (email, full_name, hashed_password, is_active, created_at) VALUES ($1, $2, $3, $4, $5)",
            email, fullName, hashedPassword, isActive, createdAt);

    public long Client(string name, object? searchKeywords = null, string? accountOwner = null, object? healthScore = null, object? createdAt = null, object? lastCheckedAt = null) =>
        Insert("INSERT INTO clients (name, search_keywords, account_owner, health_score, created_at, updated_at, last_checked_at) VALUES ($1, $2, $3, $4, $5, $5, $6)",
            name, searchKeywords, accountOwner, healthScore, createdAt ?? "2024-03-05 14:02:11.123456", lastCheckedAt);

    public long Event(long clientId, string title, string category, object eventDate, object? url = null, object? relevance = null, object isRead = null!, object isStarred = null!) =>
        Insert("INSERT INTO events (client_id, title, url, category, relevance_score, event_date, discovered_at, is_read, is_starred) VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8)",
            clientId, title, url, category, relevance ?? 0.5, eventDate, isRead ?? 0, isStarred ?? 0);

    public void Execute(string sql, params object?[] values)
    {
        using var command = Command(sql, values);
        command.ExecuteNonQuery();
    }

    private long Insert(string sql, params object?[] values)
    {
        Execute(sql, values);
        using var id = Command("SELECT last_insert_rowid()");
        return (long)id.ExecuteScalar()!;
    }

    private SqliteCommand Command(string sql, params object?[] values)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        for (var i = 0; i < values.Length; i++)
            command.Parameters.AddWithValue($"${i + 1}", values[i] ?? DBNull.Value);
        return command;
    }

    /// <summary>Closes the file so the code under test sees it whole.</summary>
    public string Finish()
    {
        _connection.Close();
        return Path;
    }

    public void Dispose()
    {
        _connection.Dispose();
        File.Delete(Path);
    }
}
