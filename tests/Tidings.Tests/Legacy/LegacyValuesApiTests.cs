using System.Net;
using System.Net.Http.Json;
using Tidings.Legacy;
using Tidings.Tests.Events;
using Tidings.Tests.Infrastructure;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Tests.Legacy;

/// <summary>The originals the import kept aside are readable by the business's admins, and by nobody else.</summary>
public abstract class LegacyValuesApiTests<TDatabase>(TidingsServer<TDatabase> server) : IDisposable where TDatabase : TestDatabase, new()
{
    private readonly LegacyFileBuilder _old = new();

    private async Task<(ApiUser Owner, string BusinessName)> ImportedBusinessAsync()
    {
        var name = "Imported " + Guid.NewGuid().ToString("N")[..8];
        var owner = await server.SignUpAsync(name);
        var acme = _old.Client("Acme", healthScore: "n/a", accountOwner: "TBD");
        _old.Event(acme, new string('t', 600), "Funding Round", "not a date");
        var report = await LegacyImport.RunAsync(new LegacyImportOptions(_old.Finish(), new TargetBusiness.WithId(owner.BusinessId), null), server.Database.Settings, TimeProvider.System, null, CancellationToken.None);
        Assert.Equal(owner.BusinessId, report.BusinessId);
        return (owner, name);
    }

    [Fact]
    public async Task Admins_read_the_kept_originals_of_their_business_filtered_by_table_record_and_reason()
    {
        var (owner, _) = await ImportedBusinessAsync();

        var all = await owner.Http.GetFromJsonAsync<Page<LegacyValueDto>>("/api/legacy-values");
        Assert.Equal(
            [("clients", "account_owner", "TBD"), ("clients", "health_score", "n/a"), ("events", "category", "Funding Round"), ("events", "discovered_at", "not a date"), ("events", "event_date", "not a date"), ("events", "title", new string('t', 600))],
            all!.Items.Select(v => (v.TableName, v.ColumnName, v.OriginalValue)).Order());

        var title = all.Items.Single(v => v.ColumnName == "title");
        var byRecord = await owner.Http.GetFromJsonAsync<Page<LegacyValueDto>>($"/api/legacy-values?table=events&recordId={title.RecordId}&reason=overlong_value");
        Assert.Equal([title.Id], byRecord!.Items.Select(v => v.Id));

        var first = await owner.Http.GetFromJsonAsync<Page<LegacyValueDto>>("/api/legacy-values?limit=4");
        var rest = await owner.Http.GetFromJsonAsync<Page<LegacyValueDto>>($"/api/legacy-values?limit=4&cursor={first!.NextCursor}");
        Assert.Equal(all.Items.Select(v => v.Id), first.Items.Concat(rest!.Items).Select(v => v.Id));
        Assert.Null(rest.NextCursor);
    }

    [Fact]
    public async Task Members_are_refused_and_another_business_sees_none_of_them()
    {
        var (owner, _) = await ImportedBusinessAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.Http.GetAsync("/api/legacy-values")).StatusCode);

        var stranger = await server.SignUpAsync();
        var seen = await stranger.Http.GetFromJsonAsync<Page<LegacyValueDto>>("/api/legacy-values");
        Assert.Empty(seen!.Items);
    }

    [Theory]
    [InlineData("table=accounts", "table")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("recordId=not-a-guid", null)]
    [InlineData("cursor=%%%", null)]
    public async Task Bad_filters_answer_400_problem_details(string query, string? field)
    {
        var owner = await server.SignUpAsync();
        var response = await owner.Http.GetAsync("/api/legacy-values?" + query);
        await EventsTestData.AssertProblemAsync(response, 400, field, query);
    }

    public void Dispose() => _old.Dispose();
}

public sealed class LegacyValuesApiTests_Sqlite(SqliteApi server) : LegacyValuesApiTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class LegacyValuesApiTests_Postgres(PostgresApi server) : LegacyValuesApiTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
