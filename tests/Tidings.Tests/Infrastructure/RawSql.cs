using System.Data.Common;
using System.Globalization;
using Tidings.Data;

namespace Tidings.Tests.Infrastructure;

/// <summary>SQL straight to the database, around the data layer, with values written the way each provider stores them.</summary>
public sealed class RawSql(TestDatabase database) : IAsyncDisposable
{
    private readonly DbConnection _connection = database.OpenBypassConnection();

    public async Task<int> ExecuteAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        return await command.ExecuteNonQueryAsync();
    }

    public async Task<object?> ScalarAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        return await command.ExecuteScalarAsync();
    }

    public Task<int> InsertEventAsync(Guid businessId, Guid clientId) => ExecuteAsync(
        """
        INSERT INTO events (id, business_id, client_id, title, category, relevance_score, event_date, discovered_at, created_at, updated_at, is_deleted)
        VALUES (@id, @business, @client, 'Raw event', 'funding', 0.5, @now, @now, @now, @now, @no)
        """,
        ("id", Guid.CreateVersion7()), ("business", businessId), ("client", clientId), ("now", DateTime.UtcNow), ("no", false));

    /// <summary>A Guid as the provider stores it: uuid on PostgreSQL, upper-case TEXT on SQLite.</summary>
    public object Value(object? value) => (database.Provider, value) switch
    {
        (_, null) => DBNull.Value,
        (DatabaseProvider.Sqlite, Guid g) => g.ToString().ToUpperInvariant(),
        (DatabaseProvider.Sqlite, DateTime d) => d.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        _ => value,
    };

    private DbCommand Command(string sql, (string Name, object? Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = Value(value);
            command.Parameters.Add(parameter);
        }
        return command;
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
