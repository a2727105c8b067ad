using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.Tenancy;
using Tidings.Events;
using Tidings.Pages;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Pages;

/// <summary>The feed chart's numbers come from one grouped statement on both providers (the browser tests check them against data).</summary>
public sealed class FeedChartTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite, "Data Source=:memory:")]
    [InlineData(DatabaseProvider.Postgres, "Host=localhost;Database=tidings_translation")]
    public void The_chart_counts_by_category_and_day_in_one_grouped_statement(DatabaseProvider provider, string connectionString)
    {
        var tenant = new CurrentTenant();
        tenant.Set(Guid.NewGuid());
        using var db = DatabaseSetup.CreateContext(new DatabaseSettings(provider, connectionString, null), connectionString, tenant, TestActors.System());
        var filter = new FeedFilter(Category: "funding", Text: "round", Unread: true);

        // ToQueryString translates without connecting: an untranslatable part would throw here.
        var sql = FeedChart.CountsByDay(db, Guid.NewGuid(), filter, null, new DateTime(2025, 1, 6, 0, 0, 0, DateTimeKind.Utc)).ToQueryString();

        Assert.Contains("count(*)", sql, StringComparison.OrdinalIgnoreCase);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(sql, "GROUP BY", System.Text.RegularExpressions.RegexOptions.IgnoreCase));
    }
}
