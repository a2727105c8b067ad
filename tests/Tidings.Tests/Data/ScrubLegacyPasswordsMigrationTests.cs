using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;
using Tidings.Legacy;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Data;

/// <summary>
/// Imports made before the fix kept unusable old passwords in clear in legacy_values. The ScrubLegacyPasswords
/// migration leaves only their shape, the same shape the import writes now, and audits each change without the value.
/// </summary>
public abstract class ScrubLegacyPasswordsMigrationTests(TestDatabase database)
{
    private static readonly string[] OldValues =
    [
        "hunter2-in-clear", "5f4dcc3b5aa765d61d8327deb882cf99", "$6$rounds$Q9x2wWsecretcryptvalue", "$2y$04$notquiteabcrypthash",
        "$weird scheme$x", "   ", "12345678", "",
    ];

    [Fact]
    public async Task Migrating_replaces_each_kept_password_by_its_shape_and_audits_it_without_the_value()
    {
        var business = await database.NewBusinessAsync();
        var kept = OldValues.Select(v => Kept("hashed_password", v)).ToList();
        var alreadyWithheld = Kept("hashed_password", "withheld: plaintext, 9 characters");
        var otherColumn = Kept("email", "hunter2-in-clear@old.example");
        await using (var db = business.Context())
        {
            db.LegacyValues.AddRange([.. kept, alreadyWithheld, otherColumn]);
            await db.SaveChangesAsync();
        }

        await database.ReapplyMigrationAsync("_ScrubLegacyPasswords");

        await using var check = business.Context();
        var values = await check.LegacyValues.ToDictionaryAsync(v => v.Id, v => v.OriginalValue);
        for (var i = 0; i < OldValues.Length; i++)
            Assert.Equal($"withheld: {LegacyParsing.PasswordShape(OldValues[i])}", values[kept[i].Id]);
        Assert.Equal(alreadyWithheld.OriginalValue, values[alreadyWithheld.Id]);
        Assert.Equal(otherColumn.OriginalValue, values[otherColumn.Id]);

        var audited = await check.AuditLogs.Where(a => a.ActorName == "system:migration ScrubLegacyPasswords").ToListAsync();
        Assert.Equal(kept.Select(k => k.Id.ToString()).Order(), audited.Select(a => a.RecordId).Order());
        Assert.All(audited, a => Assert.Equal(("legacy_values", AuditActions.Update, business.Id), (a.TableName, a.Action, a.BusinessId)));
        foreach (var secret in OldValues.Where(v => v.Trim().Length > 0))
            Assert.DoesNotContain(audited, a => (a.OldValues + a.NewValues).Contains(secret, StringComparison.Ordinal));

        LegacyValue Kept(string column, string value) => new()
        {
            BusinessId = business.Id, TableName = "users", RecordId = Guid.NewGuid(), OldId = 7, ColumnName = column,
            OriginalValue = value, Reason = "unusable_password",
        };
    }
}

public sealed class ScrubLegacyPasswordsMigrationTests_Sqlite(SqliteDatabase db) : ScrubLegacyPasswordsMigrationTests(db), IClassFixture<SqliteDatabase>;
public sealed class ScrubLegacyPasswordsMigrationTests_Postgres(PostgresDatabase db) : ScrubLegacyPasswordsMigrationTests(db), IClassFixture<PostgresDatabase>;
