using Microsoft.EntityFrameworkCore;
using Tidings.Categories;
using Tidings.Demo;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Demo;

public abstract class DemoBusinessTests<TDatabase>(TDatabase database) where TDatabase : TestDatabase
{
    [Fact]
    public async Task Demo_events_carry_categories_their_business_could_have_been_sent()
    {
        DemoBusiness demo;
        await using (var db = database.Context())
            demo = await DemoBusiness.CreateAsync(db, CancellationToken.None);

        await using var read = database.Context(demo.Business.Id);
        var live = await LiveCategories.ReadAsync(read, CancellationToken.None);
        var events = await read.Events.AsNoTracking().ToListAsync();
        Assert.Equal(demo.Events, events.Count);
        Assert.All(events, e => Assert.Null(live.Refusal(e.Category, e.Subcategory)));
        // The categories came with the events, except the few a classifier labelled unsurely: those need a review.
        Assert.All(events.Where(e => e.ClassifiedBy is not null), e =>
        {
            Assert.Equal(DemoBusiness.DemoClassifier, e.ClassifiedBy);
            Assert.True(e.ConfidenceScore < demo.Business.ReviewConfidenceThreshold);
        });
        Assert.InRange(events.Count(e => e.ClassifiedBy is not null), 1, events.Count / 10);
    }
}

public sealed class DemoBusinessTests_Sqlite(SqliteDatabase database) : DemoBusinessTests<SqliteDatabase>(database), IClassFixture<SqliteDatabase>;
public sealed class DemoBusinessTests_Postgres(PostgresDatabase database) : DemoBusinessTests<PostgresDatabase>(database), IClassFixture<PostgresDatabase>;
public sealed class DemoBusinessTests_Citus(CitusDatabase database) : DemoBusinessTests<CitusDatabase>(database), IClassFixture<CitusDatabase>;
