namespace Tidings.Legacy;

/// <summary>
/// The old app's database as it runs today (its schema.sql, word for word): what `tidings legacy ...`
/// reads. Tests and the benchmark's generator build old files from it.
/// </summary>
public static class LegacySchema
{
    public const string Sql = """
        -- The legacy database: the single-tenant app before the redesign (SQLAlchemy on SQLite).
        -- Integer keys, no tenant column, read/starred flags on the event itself, the account owner as free text,
        -- hard deletes. SQLite does not enforce the foreign key below unless PRAGMA foreign_keys is on, and the old
        -- app never turned it on.

        CREATE TABLE users (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            email           VARCHAR(255) NOT NULL UNIQUE,
            full_name       VARCHAR(200),
            hashed_password VARCHAR(255),          -- bcrypt, "$2b$12$..." (passlib's default)
            is_active       BOOLEAN NOT NULL DEFAULT 1,
            created_at      DATETIME NOT NULL
        );

        CREATE TABLE clients (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            name            VARCHAR(200) NOT NULL,
            domain          VARCHAR(200),
            industry        VARCHAR(100),
            description     TEXT,
            search_keywords TEXT,                  -- JSON array of strings
            is_active       BOOLEAN NOT NULL DEFAULT 1,
            account_owner   VARCHAR(200),          -- free text: whoever looks after the account
            tier            VARCHAR(50),           -- "Enterprise", "Mid-Market", "SMB"
            health_score    FLOAT,                 -- 0-100
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
            category        VARCHAR(50) NOT NULL,  -- one of a fixed list, see README.md
            relevance_score FLOAT NOT NULL DEFAULT 0.5,  -- 0-1
            sentiment_score FLOAT,                 -- -1..1
            event_date      DATETIME NOT NULL,
            discovered_at   DATETIME NOT NULL,
            is_read         BOOLEAN NOT NULL DEFAULT 0,
            is_starred      BOOLEAN NOT NULL DEFAULT 0
        );
        CREATE INDEX ix_events_client_id ON events (client_id);
        CREATE INDEX ix_events_event_date ON events (event_date);
        """;
}
