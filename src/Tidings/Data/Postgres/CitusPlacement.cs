using System.Data.Common;

namespace Tidings.Data.Postgres;

/// <summary>What a table becomes on a Citus cluster distributed by business.</summary>
public enum CitusTableKind
{
    /// <summary>Sharded by business_id, colocated with <see cref="CitusPlacement.ColocationRoot"/>: one business's rows on one node.</summary>
    Distributed,

    /// <summary>A full copy on every node.</summary>
    Reference,

    /// <summary>Stays on the coordinator only.</summary>
    Local,
}

/// <summary>
/// Where every table of Tidings goes on Citus, with the reason (docs/scaling.md). The one list that distributing a
/// database follows; CitusPlacementTests fails when a table of the model is missing from it, so a new table cannot be
/// forgotten, and when a tenant-owned table is kept off the shards without a reason written here.
/// </summary>
public static class CitusPlacement
{
    public const string ColocationRoot = "clients";

    public static readonly IReadOnlyDictionary<string, (CitusTableKind Kind, string Why)> Tables =
        new Dictionary<string, (CitusTableKind, string)>
        {
            ["businesses"] = (CitusTableKind.Reference, "one row per tenant, referenced by every table"),
            ["users"] = (CitusTableKind.Reference,
                "tenant-owned, but its login e-mail is unique across all businesses, which Citus enforces on a reference table only; referenced by almost every table"),
            ["platform_audit_logs"] = (CitusTableKind.Reference, "audit entries of no business: no distribution column to shard by"),
            ["clients"] = (CitusTableKind.Distributed, "tenant data; the colocation root"),
            ["events"] = (CitusTableKind.Distributed, "tenant data, the largest with the audit trail"),
            ["event_user_interactions"] = (CitusTableKind.Distributed, "tenant data"),
            ["tags"] = (CitusTableKind.Distributed, "tenant data"),
            ["categories"] = (CitusTableKind.Distributed, "tenant data: each business's own taxonomy"),
            ["classification_examples"] = (CitusTableKind.Distributed, "tenant data: each business's corrections, which teach its classifications only"),
            ["sources"] = (CitusTableKind.Distributed, "tenant data: each client's watched sources, claimed per business by the monitor"),
            ["webhooks"] = (CitusTableKind.Distributed, "tenant data: each business's webhook endpoints and their secrets"),
            ["webhook_deliveries"] = (CitusTableKind.Distributed, "tenant data: each endpoint's log of attempts"),
            ["outbox_messages"] = (CitusTableKind.Distributed, "tenant data: what committed changes must send, claimed per business by the dispatcher"),
            ["notification_preferences"] = (CitusTableKind.Distributed, "tenant data: each person's choice of what reaches them and how"),
            ["client_tags"] = (CitusTableKind.Distributed, "tenant data"),
            ["event_tags"] = (CitusTableKind.Distributed, "tenant data"),
            ["notifications"] = (CitusTableKind.Distributed, "tenant data"),
            ["audit_logs"] = (CitusTableKind.Distributed, "tenant data; every entry names its business (platform_audit_logs holds the rest)"),
            ["api_tokens"] = (CitusTableKind.Distributed, "tenant data; a token names its business, so its lookup stays on one shard"),
            ["legacy_id_map"] = (CitusTableKind.Distributed, "tenant data of the legacy import"),
            ["legacy_values"] = (CitusTableKind.Distributed, "tenant data of the legacy import"),
            ["__EFMigrationsHistory"] = (CitusTableKind.Local, "read and written by db migrate and db status on the coordinator only"),
        };

    /// <summary>Whether the connection's database has Citus, placed yet or not: the code paths Citus refuses are chosen by it.</summary>
    public static async Task<bool> InstalledAsync(DbConnection connection, DbTransaction? transaction, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')";
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }
}
