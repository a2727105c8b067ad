using Microsoft.EntityFrameworkCore;
using Tidings.Categories;
using Tidings.Data.Auditing;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Categories;

/// <summary>
/// Every business has its own taxonomy from its first moment: sign-up gives it the default one, in its own rows,
/// audited, which no other business sees; and db migrate gives one to each business that existed before categories.
/// </summary>
public abstract class DefaultTaxonomyTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private static readonly string[] Required =
    [
        "funding", "acquisition", "leadership_change", "layoffs", "product_launch", "partnership", "contract_win", "expansion", "legal",
        "earnings", "ipo", "bankruptcy", "dividend", "buyback", "regulatory", "security_incident", "award", "other",
    ];

    [Fact]
    public async Task A_new_business_starts_with_the_default_taxonomy_of_its_own()
    {
        var a = await server.SignUpAsync();
        var b = await server.SignUpAsync();
        await using var db = server.Database.Context(a.BusinessId, TestActors.User(a.Id, a.BusinessId));
        var categories = await db.Categories.AsNoTracking().ToListAsync();

        Assert.Equal(DefaultTaxonomy.Entries.Select(e => e.Key).Order(), categories.Select(c => c.Key).Order());
        Assert.Subset(categories.Where(c => c.ParentId is null).Select(c => c.Key).ToHashSet(), Required.ToHashSet());
        var acquisition = categories.Single(c => c.Key == "acquisition");
        Assert.Equal(["acquirer", "target"], categories.Where(c => c.ParentId == acquisition.Id).Select(c => c.Key).Order());
        Assert.All(categories, c => Assert.Equal(a.BusinessId, c.BusinessId));
        Assert.Contains(categories, c => c.Signal == CategorySignals.Risk);
        Assert.Contains(categories, c => c.Signal == CategorySignals.Growth);
        // Audited as the business's own rows, by its owner.
        Assert.Equal(categories.Count, await db.AuditLogs.CountAsync(l => l.TableName == "categories" && l.Action == AuditActions.Create && l.UserId == a.Id));

        await using var other = server.Database.Context(b.BusinessId, TestActors.User(b.Id, b.BusinessId));
        var theirs = await other.Categories.AsNoTracking().Select(c => c.Id).ToListAsync();
        Assert.Equal(categories.Count, theirs.Count);
        Assert.Empty(theirs.Intersect(categories.Select(c => c.Id)));
    }
}

public sealed class DefaultTaxonomyTests_Sqlite(SqliteApi server) : DefaultTaxonomyTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class DefaultTaxonomyTests_Postgres(PostgresApi server) : DefaultTaxonomyTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
public sealed class DefaultTaxonomyTests_Citus(CitusApi server) : DefaultTaxonomyTests<CitusDatabase>(server), IClassFixture<CitusApi>;

/// <summary>Businesses made before categories existed get the default taxonomy when db migrate adds the table.</summary>
public abstract class DefaultTaxonomyMigrationTests(TestDatabase database)
{
    [Fact]
    public async Task Db_migrate_gives_every_business_that_predates_categories_the_default_audited_as_its_own()
    {
        var a = await database.NewBusinessAsync();
        var b = await database.NewBusinessAsync();
        await database.ReapplyMigrationAsync(DefaultTaxonomy.Migration);

        foreach (var business in new[] { a, b })
        {
            await using var db = business.Context();
            var keys = await db.Categories.Select(c => c.Key).ToListAsync();
            Assert.Equal(DefaultTaxonomy.Entries.Select(e => e.Key).Order(), keys.Order());
            Assert.Equal(keys.Count, await db.AuditLogs.CountAsync(l => l.TableName == "categories" && l.ActorName == "system:db migrate"));
        }

        // A second run writes nothing more.
        await Tidings.Data.DatabaseCommands.MigrateAsync(database.Settings, CancellationToken.None);
        await using var check = a.Context();
        Assert.Equal(DefaultTaxonomy.Entries.Count, await check.Categories.CountAsync());
    }
}

public sealed class DefaultTaxonomyMigrationTests_Sqlite(SqliteDatabase db) : DefaultTaxonomyMigrationTests(db), IClassFixture<SqliteDatabase>;
public sealed class DefaultTaxonomyMigrationTests_Postgres(PostgresDatabase db) : DefaultTaxonomyMigrationTests(db), IClassFixture<PostgresDatabase>;
