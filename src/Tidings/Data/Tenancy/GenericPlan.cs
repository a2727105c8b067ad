using Microsoft.EntityFrameworkCore;

namespace Tidings.Data.Tenancy;

/// <summary>
/// How PostgreSQL plans a business's statements. The service prepares its statements (Npgsql's Max Auto Prepare,
/// DatabaseSetup), and PostgreSQL would switch a prepared statement to one generic plan for every business after
/// five runs; for a query over a business's rows that plan guesses "a few rows per business" and took 32 s for a
/// large business's feed page (docs/performance.md). So every tenant statement is planned with its values
/// (plan_cache_mode = force_custom_plan, set with the tenant's settings), except a query tagged here: one whose best
/// plan cannot depend on how large the business is (a lookup by a unique key), which then keeps one plan and
/// skips planning, most of the database's work for such a lookup. Only statements outside a transaction take the
/// tag; a transaction's statements are always planned with their values.
/// </summary>
public static class GenericPlan
{
    public const string Tag = "tidings:generic-plan";
    internal const string Allowed = "auto", Refused = "force_custom_plan";

    /// <summary>The plan_cache_mode a statement as EF wrote it runs with: its tag comes first, as EF writes tags.</summary>
    public static string PlanCacheModeOf(string sql) => sql.StartsWith("-- " + Tag, StringComparison.Ordinal) ? Allowed : Refused;

    /// <summary>Lets PostgreSQL keep one plan of this query for every business: only for lookups by a unique key.</summary>
    public static IQueryable<T> WithGenericPlan<T>(this IQueryable<T> query) => query.TagWith(Tag);
}
