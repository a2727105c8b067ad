using Microsoft.Data.Sqlite;

namespace Tidings.Tests.Legacy;

/// <summary>
/// Writes an old-app SQLite file in code: the legacy schema exactly, and rows as messy as real files
/// are (odd timestamp shapes, text in number columns, orphan events, placeholder owners...).
/// </summary>
public sealed class LegacyFileBuilder : IDisposable
{
    public const string Schema = """
        CREATE TABLE users (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            email           VARCHAR(255) NOT NULL UNIQUE,
            full_name       VARCHAR(200),
            hashed_password VARCHAR(255),
            is_active       BOOLEAN NOT NULL DEFAULT 1,
            created_at      DATETIME NOT NULL
        );
        CREATE TABLE clients (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            name            VARCHAR(200) NOT NULL,
            domain          VARCHAR(200),
            industry        VARCHAR(100),
            description     TEXT,
            search_keywords TEXT,
            is_active       BOOLEAN NOT NULL DEFAULT 1,
            account_owner   VARCHAR(200),
            tier            VARCHAR(50),
            health_score    FLOAT,
            notes           TEXT,
            created_at      DATETIME NOT NULL,
            updated_at      DATETIME NOT NULL,
            last_checked_at DATETIME
        );
        CREATE INDEX ix_clients_name ON clients (name);
        CREATE TABLE events (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            client_id       INTEGER NOT NULL REFERENCES clients (id),
            title           VARCHAR(500) NOT NULL,
            description     TEXT,
            url             VARCHAR(1000),
            source          VARCHAR(200),
            category        VARCHAR(50) NOT NULL,
            relevance_score FLOAT NOT NULL DEFAULT 0.5,
            sentiment_score FLOAT,
            event_date      DATETIME NOT NULL,
            discovered_at   DATETIME NOT NULL,
            is_read         BOOLEAN NOT NULL DEFAULT 0,
            is_starred      BOOLEAN NOT NULL DEFAULT 0
        );
        CREATE INDEX ix_events_client_id ON events (client_id);
        CREATE INDEX ix_events_event_date ON events (event_date);
        """;

    private readonly SqliteConnection _connection;

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"legacy-{Guid.NewGuid():N}.db");

    public LegacyFileBuilder()
    {
        // The old app never turned foreign keys on, which is how orphan events got in.
        _connection = new SqliteConnection($"Data Source={Path};Pooling=False;Foreign Keys=False");
        _connection.Open();
        Execute(Schema);
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
