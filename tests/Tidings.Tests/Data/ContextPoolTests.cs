using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tidings.Clients;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Data;

/// <summary>
/// The service's contexts come from a pool (DatabaseSetup): one context serves one business's unit of work, then
/// another's. What the first one read, tracked or set must not reach the second, and a context back in the pool
/// serves nobody.
/// </summary>
public abstract class ContextPoolTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private sealed record Created(Guid Id);

    private async Task<Guid> AddClientAsync(ApiUser owner, string name)
    {
        var answer = await owner.Http.PostAsJsonAsync("/api/clients", new { name });
        answer.EnsureSuccessStatusCode();
        return (await answer.Content.ReadFromJsonAsync<Created>())!.Id;
    }

    [Fact]
    public async Task A_context_returned_by_one_business_serves_the_next_with_nothing_of_the_first()
    {
        var a = await server.SignUpAsync();
        var b = await server.SignUpAsync();
        var aClient = await AddClientAsync(a, "Alpha of A");
        var bClient = await AddClientAsync(b, "Beta of B");

        int lease;
        TidingsDbContext first;
        await using (var scope = server.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<CurrentTenant>().Set(a.BusinessId);
            scope.ServiceProvider.GetRequiredService<CurrentActor>().SetUser(a.Id, a.BusinessId, "pool test");
            first = scope.ServiceProvider.GetRequiredService<TidingsDbContext>();
            lease = first.ContextId.Lease;
            var tracked = await first.Clients.SingleAsync();
            Assert.Equal(aClient, tracked.Id);
            tracked.Name = "Renamed but never saved";
            _ = first.AllowDirectWrites("left open on purpose");
            first.Database.AutoTransactionBehavior = AutoTransactionBehavior.Never;
            first.ChangeTracker.CascadeDeleteTiming = Microsoft.EntityFrameworkCore.ChangeTracking.CascadeTiming.Immediate;
        }

        // Back in the pool: it serves no business, and fails closed rather than answer for the last one.
        Assert.Throws<InvalidOperationException>(() => first.Tenant);
        Assert.Throws<InvalidOperationException>(() => first.Actor);

        // Lease until that same instance comes back (the pool may hold others), each scope kept open so none repeats.
        var scopes = new List<AsyncServiceScope>();
        try
        {
            TidingsDbContext? next = null;
            for (var i = 0; i < 64 && next is null; i++)
            {
                var scope = server.Services.CreateAsyncScope();
                scopes.Add(scope);
                scope.ServiceProvider.GetRequiredService<CurrentTenant>().Set(b.BusinessId);
                scope.ServiceProvider.GetRequiredService<CurrentActor>().SetUser(b.Id, b.BusinessId, "pool test");
                var leased = scope.ServiceProvider.GetRequiredService<TidingsDbContext>();
                if (ReferenceEquals(leased, first))
                    next = leased;
            }
            Assert.NotNull(next);
            Assert.True(next.ContextId.Lease > lease);
            Assert.Equal(b.BusinessId, next.Tenant.BusinessId);
            Assert.Empty(next.ChangeTracker.Entries());
            Assert.Null(next.DirectWritesReason);
            Assert.Equal(bClient, (await next.Clients.SingleAsync()).Id);
            // Its settings are the ones every context starts with, not whatever the last lease left.
            Assert.Equal(AutoTransactionBehavior.Always, next.Database.AutoTransactionBehavior);
            Assert.Equal(Microsoft.EntityFrameworkCore.ChangeTracking.CascadeTiming.Never, next.ChangeTracker.CascadeDeleteTiming);
        }
        finally
        {
            foreach (var scope in scopes)
                await scope.DisposeAsync();
        }

        await using (var scope = server.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<CurrentTenant>().Set(a.BusinessId);
            var again = scope.ServiceProvider.GetRequiredService<TidingsDbContext>();
            Assert.Equal("Alpha of A", (await again.Clients.AsNoTracking().SingleAsync(c => c.Id == aClient)).Name);
        }
    }

    [Fact]
    public async Task A_leased_context_cannot_be_bound_to_a_second_unit_of_work()
    {
        var a = await server.SignUpAsync();
        await using var scope = server.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentTenant>().Set(a.BusinessId);
        var db = scope.ServiceProvider.GetRequiredService<TidingsDbContext>();
        var other = new CurrentTenant();
        Assert.Throws<InvalidOperationException>(() => db.Bind(other, new CurrentActor(), TimeProvider.System));
        Assert.Same(scope.ServiceProvider.GetRequiredService<CurrentTenant>(), db.Tenant);
        Assert.Empty(await db.Set<Client>().ToListAsync());
    }
}

public sealed class ContextPoolTests_Sqlite(SqliteApi server) : ContextPoolTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class ContextPoolTests_Postgres(PostgresApi server) : ContextPoolTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
