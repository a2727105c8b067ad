using Microsoft.EntityFrameworkCore.Migrations;

namespace Tidings.Data.Sqlite;

/// <summary>The SQLite half of the rules that the database can hold: an append-only audit table.</summary>
public static class DatabaseGuards
{
    public static void MakeAppendOnly(MigrationBuilder migration, string table)
    {
        migration.Sql($"""
            CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END;
            """);
        migration.Sql($"""
            CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END;
            """);
    }
}
