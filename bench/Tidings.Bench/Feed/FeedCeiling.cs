using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;
using Tidings.Data;
using Tidings.Data.Postgres;

namespace Tidings.Bench.Feed;

/// <summary>
/// The best hand-written SQL for a feed page: the same rows and columns Tidings returns (the event, its
/// client's name, the reader's own read/star/notes, its live tags), the same rules (live events of live
/// clients, no duplicates), one prepared statement on one open connection with the business already set,
/// so nothing but the database's own work is timed. On PostgreSQL it runs as the app role, under the same
/// row-level security as Tidings. On Citus a business set for the session stays on the coordinator, and the
/// shards' policies would see none: there each run is its own transaction that sets the business first, in one
/// round trip, exactly as Tidings' tenant session sends a statement (PostgresTenantSession).
/// </summary>
public sealed class FeedCeiling : IAsyncDisposable
{
    private readonly DbConnection _connection;
    private readonly DatabaseProvider _provider;
    private readonly bool _citus;
    private readonly Guid _businessId;
    private readonly Guid _userId;
    private readonly Dictionary<string, DbCommand> _prepared = [];

    private FeedCeiling(DbConnection connection, DatabaseProvider provider, bool citus, Guid businessId, Guid userId)
    {
        _connection = connection;
        _provider = provider;
        _citus = citus;
        _businessId = businessId;
        _userId = userId;
    }

    public DbConnection Connection => _connection;

    public static async Task<FeedCeiling> OpenAsync(DatabaseSettings settings, bool citus, Guid businessId, Guid userId, CancellationToken ct)
    {
        DbConnection connection = settings.Provider == DatabaseProvider.Sqlite
            ? new SqliteConnection(settings.ConnectionString)
            : new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync(ct);
        if (connection is NpgsqlConnection npgsql && !citus)
        {
            // Session-wide, once: the row-level security policies read it; Tidings sets it per statement or transaction.
            // Custom plans: after five runs PostgreSQL may keep a generic plan for a prepared statement, and with
            // one business holding a fifth of the rows the generic plan guesses "a few rows per business" and
            // runs for seconds (measured: 32 s for the first page at 100,000 events). Tidings' own statements are
            // unnamed, so planned with their values every time; the ceiling keeps only the saved parse.
            await using var set = new NpgsqlCommand("SELECT set_config('app.business_id', @b, false); SET plan_cache_mode = force_custom_plan", npgsql);
            set.Parameters.AddWithValue("b", businessId.ToString());
            await set.ExecuteNonQueryAsync(ct);
        }
        return new FeedCeiling(connection, settings.Provider, citus, businessId, userId);
    }

    /// <summary>The statement for a case, with its parameter names (values bound per run).</summary>
    public string Sql(FeedCase feedCase)
    {
        var postgres = _provider == DatabaseProvider.Postgres;
        // The tags' business is the parameter, not e.business_id: the same rows, but Citus routes a statement to one
        // shard only when every table in it, a correlated subquery's too, is pinned to one business by a value; tied to
        // the outer column, the subquery sent the whole page to every shard.
        var tags = postgres
            ? """
              (SELECT json_agg(json_build_object('id', t.id, 'name', t.name, 'color', t.color) ORDER BY t.name)
                 FROM event_tags et JOIN tags t ON t.business_id = et.business_id AND t.id = et.tag_id
                WHERE et.business_id = @business AND et.event_id = e.id AND NOT t.is_deleted)
              """
            : """
              (SELECT json_group_array(json_object('id', x.id, 'name', x.name, 'color', x.color)) FROM
                 (SELECT t.id, t.name, t.color FROM event_tags et JOIN tags t ON t.business_id = et.business_id AND t.id = et.tag_id
                   WHERE et.business_id = e.business_id AND et.event_id = e.id AND NOT t.is_deleted ORDER BY t.name) x)
              """;
        var sql = new StringBuilder($"""
            SELECT e.id, e.client_id, c.name AS client_name, e.title, e.description, e.url, e.source, e.source_type,
                   e.category, e.subcategory, e.tags, e.relevance_score, e.sentiment_score, e.confidence_score,
                   e.event_date, e.discovered_at, e.content_hash, e.duplicate_of_event_id, e.created_by_user_id,
                   e.created_at, e.updated_at, e.is_deleted, e.deleted_at,
                   i.is_read, i.read_at, i.is_starred, i.starred_at, i.user_notes,
                   {tags} AS event_tags
            FROM events e
            JOIN clients c ON c.business_id = e.business_id AND c.id = e.client_id
            LEFT JOIN event_user_interactions i ON i.business_id = e.business_id AND i.event_id = e.id AND i.user_id = @user
            WHERE e.business_id = @business AND NOT e.is_deleted AND NOT c.is_deleted AND e.duplicate_of_event_id IS NULL
            """);
        if (feedCase.Filter.ClientId is not null)
            sql.Append("\n  AND e.client_id = @client");
        if (feedCase.Filter.Category is not null)
            sql.Append("\n  AND e.category = @category");
        if (feedCase.Filter.Unread == true)
            sql.Append("\n  AND NOT EXISTS (SELECT 1 FROM event_user_interactions r WHERE r.business_id = e.business_id AND r.event_id = e.id AND r.user_id = @user AND r.is_read)");
        if (feedCase.Cursor is not null)
            sql.Append("\n  AND (e.event_date, e.id) < (@date, @id)");
        sql.Append(CultureInfo.InvariantCulture, $"\nORDER BY e.event_date DESC, e.id DESC\nLIMIT {FeedCase.PageSize + 1}");
        return sql.ToString();
    }

    /// <summary>Runs the case's page and reads every value of every row; answers the row count.</summary>
    public async Task<int> PageAsync(FeedCase feedCase, CancellationToken ct)
    {
        var command = await PreparedAsync(feedCase, ct);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = 0;
        var values = new object[reader.FieldCount];
        while (await reader.ReadAsync(ct))
        {
            reader.GetValues(values);
            rows++;
        }
        return rows;
    }

    /// <summary>The ids of the case's page, in order (the check that the ceiling answers Tidings' page).</summary>
    public async Task<List<Guid>> IdsAsync(FeedCase feedCase, CancellationToken ct)
    {
        var command = await PreparedAsync(feedCase, ct);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var ids = new List<Guid>();
        while (await reader.ReadAsync(ct))
            ids.Add(reader.GetValue(0) is Guid id ? id : Guid.Parse(reader.GetString(0)));
        return ids;
    }

    /// <summary>The database's own account of the page: EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite.</summary>
    public Task<string> PlanAsync(FeedCase feedCase, CancellationToken ct) =>
        PlanAsync(Sql(feedCase), command => Bind(command, feedCase), ct);

    /// <summary>The plan of any statement on this connection (Tidings' own, captured), with its parameters bound by <paramref name="bind"/>.</summary>
    public async Task<string> PlanAsync(string sql, Action<DbCommand> bind, CancellationToken ct)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = (_provider == DatabaseProvider.Postgres ? "EXPLAIN (ANALYZE, BUFFERS) " : "EXPLAIN QUERY PLAN ") + sql;
        bind(command);
        InTenantTransaction(command);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var plan = new StringBuilder();
        while (await reader.ReadAsync(ct))
            plan.AppendLine(_provider == DatabaseProvider.Postgres ? reader.GetString(0) : reader.GetString(reader.FieldCount - 1));
        return plan.ToString().TrimEnd();
    }

    private async Task<DbCommand> PreparedAsync(FeedCase feedCase, CancellationToken ct)
    {
        if (!_prepared.TryGetValue(feedCase.Name, out var command))
        {
            command = _connection.CreateCommand();
            command.CommandText = Sql(feedCase);
            Bind(command, feedCase);
            InTenantTransaction(command);
            await command.PrepareAsync(ct);
            _prepared[feedCase.Name] = command;
        }
        return command;
    }

    /// <summary>
    /// On Citus, the statement inside a transaction of its own that sets the business first (the form of
    /// PostgresTenantSession: a CALL's SET LOCAL reaches the workers only in an explicit transaction), planned with its
    /// values. BEGIN, the CALL and COMMIT return no rows, so the reader sees the statement's alone.
    /// </summary>
    private void InTenantTransaction(DbCommand command)
    {
        if (!_citus)
            return;
        var statement = command.CommandText.TrimEnd().EndsWith(';') ? command.CommandText : command.CommandText + "\n;";
        // Npgsql takes either named or positional parameters in one command; Tidings' captured statements may be positional.
        var positional = command.Parameters.Cast<DbParameter>().Any(p => string.IsNullOrEmpty(p.ParameterName));
        var business = positional ? $"'{_businessId}'" : "@tenant";
        command.CommandText = $"BEGIN;\nCALL {DatabaseGuards.TenantProcedure}({business}, 'off', 'force_custom_plan');\n{statement}\nCOMMIT";
        if (!positional)
            Add(command, "tenant", _businessId.ToString());
    }

    private void Bind(DbCommand command, FeedCase feedCase)
    {
        Add(command, "business", _businessId);
        Add(command, "user", _userId);
        if (feedCase.Filter.ClientId is { } client)
            Add(command, "client", client);
        if (feedCase.Filter.Category is { } category)
            Add(command, "category", category);
        if (feedCase.Cursor is { } cursor)
        {
            Add(command, "date", cursor.EventDate);
            Add(command, "id", cursor.Id);
        }
    }

    /// <summary>Binds a value as each database stores it: native on PostgreSQL; on SQLite, EF's text forms of Guids and times.</summary>
    private void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = _provider == DatabaseProvider.Postgres ? value : value switch
        {
            Guid guid => guid.ToString().ToUpperInvariant(),
            DateTime time => time.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
            _ => value,
        };
        command.Parameters.Add(parameter);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _prepared.Values)
            await command.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
