using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Tidings.Data;
using Tidings.Data.Postgres;
using Tidings.Data.Tenancy;

namespace Tidings.Tests.Data;

/// <summary>
/// Every table has a place on Citus (CitusPlacement), so a new table cannot reach a distributed deployment unplaced,
/// and business data lives on the shards unless a reason says otherwise.
/// </summary>
public sealed class CitusPlacementTests
{
    private static readonly IModel Model = ModelOf();

    private static readonly IReadOnlyList<(string Table, Type Clr)> ModelTables =
        Model.GetEntityTypes().Select(t => (t.GetTableName()!, t.ClrType)).ToList();

    private static IModel ModelOf()
    {
        using var db = new PostgresTidingsDbContext(DatabaseSetup.PostgresOptions("Host=localhost;Database=unused").Options);
        return db.Model;
    }

    [Fact]
    public void Every_table_of_the_model_and_the_migrations_history_has_a_placement_and_nothing_else_does()
    {
        var expected = ModelTables.Select(t => t.Table).Append("__EFMigrationsHistory").Order().ToList();
        Assert.Equal(expected, CitusPlacement.Tables.Keys.Order().ToList());
    }

    [Fact]
    public void Tenant_owned_tables_are_distributed_unless_kept_as_reference_with_a_reason()
    {
        foreach (var (table, clr) in ModelTables.Where(t => typeof(ITenantOwned).IsAssignableFrom(t.Clr)))
        {
            var (kind, why) = CitusPlacement.Tables[table];
            Assert.NotEqual(CitusTableKind.Local, kind);
            if (kind == CitusTableKind.Reference)
                Assert.Contains("unique across", why);
        }
        Assert.Equal(CitusTableKind.Distributed, CitusPlacement.Tables["audit_logs"].Kind);
        Assert.Equal(CitusTableKind.Distributed, CitusPlacement.Tables[CitusPlacement.ColocationRoot].Kind);
    }

    [Fact]
    public void Distributed_tables_lead_their_primary_key_with_business_id()
    {
        var distributed = Model.GetEntityTypes().Where(t => CitusPlacement.Tables[t.GetTableName()!].Kind == CitusTableKind.Distributed).ToList();
        Assert.Contains(distributed, t => t.GetTableName() == "audit_logs");
        foreach (var type in distributed)
            Assert.Equal("business_id", type.FindPrimaryKey()!.Properties[0].GetColumnName());
    }
}
