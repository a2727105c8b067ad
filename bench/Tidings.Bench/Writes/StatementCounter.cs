using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using Tidings.Data;

namespace Tidings.Bench.Writes;

/// <summary>What one piece of work sent to the database: EF's commands (texts and time), its transactions, and on PostgreSQL every command the driver sent.</summary>
public sealed record StatementTally(IReadOnlyList<string> EfCommands, double EfMs, int Transactions, int Commits, IReadOnlyList<string> DriverCommands, double DriverMs)
{
    /// <summary>Round trips to PostgreSQL: each driver command is one (BEGIN travels with the first of a transaction), and each COMMIT one more.</summary>
    public int RoundTrips => DriverCommands.Count + Commits;
}

/// <summary>
/// Counts what is sent to one bench database while it is open, from EF Core's diagnostic events (each
/// command it executes, each transaction it starts and commits) and Npgsql's trace of every command it
/// sends, which also sees what EF does not run itself (the tenant's set_config from PostgresTenantSession).
/// Both cost a little per statement once listened to, so a counter is open only for a profiling pass,
/// never while throughput is measured. Other databases' statements (other tests in the process) are ignored.
/// </summary>
public sealed class StatementCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private static readonly string CommandExecuted = RelationalEventId.CommandExecuted.Name!;
    private static readonly string TransactionStarted = RelationalEventId.TransactionStarted.Name!;
    private static readonly string TransactionCommitted = RelationalEventId.TransactionCommitted.Name!;

    private readonly string _database;
    private readonly bool _sqlite;
    private readonly IDisposable _listeners;
    private readonly ActivityListener _driver;
    private readonly List<IDisposable> _subscriptions = [];
    private readonly Lock _lock = new();
    private List<string> _ef = [];
    private List<string> _sent = [];
    private double _efMs, _sentMs;
    private int _transactions, _commits;

    public StatementCounter(BenchDatabase database)
    {
        _sqlite = database.Provider == DatabaseProvider.Sqlite;
        _database = _sqlite ? database.Settings.ConnectionString : new NpgsqlConnectionStringBuilder(database.Settings.ConnectionString).Database!;
        _listeners = DiagnosticListener.AllListeners.Subscribe(this);
        _driver = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = DriverCommandStopped,
        };
        ActivitySource.AddActivityListener(_driver);
    }

    private bool Ours(DbConnection? connection) =>
        connection is not null && (_sqlite ? connection.ConnectionString == _database : connection.Database == _database);

    private void DriverCommandStopped(Activity activity)
    {
        if (activity.GetTagItem("db.namespace") as string != _database || activity.GetTagItem("db.query.text") is not string text)
            return;
        lock (_lock)
        {
            _sent.Add(text);
            _sentMs += activity.Duration.TotalMilliseconds;
        }
    }

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener listener)
    {
        if (listener.Name != DbLoggerCategory.Name)
            return;
        lock (_lock)
            _subscriptions.Add(listener.Subscribe(this, name => name == CommandExecuted || name == TransactionStarted || name == TransactionCommitted));
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> value)
    {
        switch (value.Value)
        {
            case CommandExecutedEventData command when Ours(command.Command.Connection):
                lock (_lock)
                {
                    _ef.Add(command.Command.CommandText);
                    _efMs += command.Duration.TotalMilliseconds;
                }
                break;
            case TransactionEndEventData transaction when Ours(transaction.Context?.Database.GetDbConnection()):
                lock (_lock)
                {
                    if (value.Key == TransactionStarted)
                        _transactions++;
                    else
                        _commits++;
                }
                break;
        }
    }

    /// <summary>What was sent since the last call.</summary>
    public StatementTally Take()
    {
        lock (_lock)
        {
            var tally = new StatementTally(_ef, _efMs, _transactions, _commits, _sent, _sentMs);
            (_ef, _sent, _efMs, _sentMs, _transactions, _commits) = ([], [], 0, 0, 0, 0);
            return tally;
        }
    }

    public void Dispose()
    {
        _driver.Dispose();
        _listeners.Dispose();
        lock (_lock)
            foreach (var subscription in _subscriptions)
                subscription.Dispose();
    }

    void IObserver<DiagnosticListener>.OnCompleted() { }
    void IObserver<DiagnosticListener>.OnError(Exception error) { }
    void IObserver<KeyValuePair<string, object?>>.OnCompleted() { }
    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error) { }
}
