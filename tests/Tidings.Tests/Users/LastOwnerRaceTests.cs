using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Users;

/// <summary>
/// The last-owner rule holds when two owners take each other away at the same moment: the check and the write
/// are serialised by the business lock, so one of the two wins and the other is refused.
/// </summary>
public abstract class LastOwnerRaceTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private const int Tries = 12;

    [Theory]
    [InlineData("demote")]
    [InlineData("deactivate")]
    [InlineData("remove")]
    public async Task Two_owners_taking_each_other_away_at_once_always_leave_one_active_owner(string how)
    {
        for (var i = 0; i < Tries; i++)
        {
            var first = await server.SignUpAsync();
            var second = await server.AddUserAsync(first, UserRoles.Owner);
            // A token's first use stamps last_used_at: done before the race, so the race is only the two changes.
            Assert.Equal(HttpStatusCode.OK, (await first.Http.GetAsync("/api/me")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await second.Http.GetAsync("/api/me")).StatusCode);

            var answers = await Task.WhenAll(TakeAwayAsync(first, second.Id, how), TakeAwayAsync(second, first.Id, how));

            Assert.Equal(1, await ActiveOwnersAsync(first));
            var won = answers.Count(a => a.IsSuccessStatusCode);
            Assert.True(won == 1, $"try {i}: {won} of the two won ({string.Join(", ", answers.Select(a => (int)a.StatusCode))})");
            var lost = answers.Single(a => !a.IsSuccessStatusCode);
            // The loser is refused by the rule, or, when the winner ended its session first, not let in at all.
            Assert.Contains(lost.StatusCode, new[] { HttpStatusCode.Conflict, HttpStatusCode.Unauthorized });
            if (lost.StatusCode == HttpStatusCode.Conflict)
                Assert.Equal("application/problem+json", lost.Content.Headers.ContentType?.MediaType);
        }
    }

    private static Task<HttpResponseMessage> TakeAwayAsync(ApiUser caller, Guid owner, string how) => how switch
    {
        "demote" => caller.Http.PatchAsJsonAsync($"/api/users/{owner}", new { role = UserRoles.Admin }),
        "deactivate" => caller.Http.PatchAsJsonAsync($"/api/users/{owner}", new { isActive = false }),
        _ => caller.Http.DeleteAsync($"/api/users/{owner}"),
    };

    private async Task<int> ActiveOwnersAsync(ApiUser anyone)
    {
        await using var db = server.Database.Context(anyone.BusinessId);
        return await db.Users.CountAsync(u => u.Role == UserRoles.Owner && u.IsActive);
    }
}

public sealed class LastOwnerRaceTests_Sqlite(SqliteApi server) : LastOwnerRaceTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class LastOwnerRaceTests_Postgres(PostgresApi server) : LastOwnerRaceTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
