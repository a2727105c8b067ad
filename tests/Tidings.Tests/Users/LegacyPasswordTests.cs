using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Users;

/// <summary>People moved from the old app keep their password: its bcrypt hash signs them in once and is then replaced.</summary>
public abstract class LegacyPasswordTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Theory]
    [InlineData("2b")] // passlib's default, as in the old app's file
    [InlineData("2a")]
    [InlineData("2y")]
    public async Task An_old_bcrypt_password_signs_in_and_is_rehashed_to_the_current_scheme(string revision)
    {
        var owner = await server.SignUpAsync();
        var email = $"moved-{Guid.NewGuid():N}@example.test";
        // The revisions differ only in their tag for ASCII passwords; cost 4 keeps the test quick.
        var oldHash = $"${revision}$" + BCrypt.Net.BCrypt.HashPassword("Welcome2023!", 4)[4..];
        Guid userId;
        await using (var db = server.Database.Context(owner.BusinessId))
        {
            var user = new User { Email = email, DisplayName = "Moved Over", Role = UserRoles.Member, PasswordHash = oldHash };
            db.Users.Add(user);
            await db.SaveChangesAsync();
            userId = user.Id;
        }

        var wrong = await server.Anonymous().PostAsJsonAsync("/api/auth/login", new { email, password = "welcome2023!" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        var right = await server.Anonymous().PostAsJsonAsync("/api/auth/login", new { email, password = "Welcome2023!" });
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);

        await using (var db = server.Database.Context(owner.BusinessId))
        {
            var stored = (await db.Users.SingleAsync(u => u.Id == userId)).PasswordHash!;
            Assert.False(Passwords.IsLegacyBcrypt(stored));
            Assert.NotEqual(oldHash, stored);
        }
        var again = await server.Anonymous().PostAsJsonAsync("/api/auth/login", new { email, password = "Welcome2023!" });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task A_damaged_bcrypt_hash_refuses_sign_in_without_an_error()
    {
        var owner = await server.SignUpAsync();
        var email = $"damaged-{Guid.NewGuid():N}@example.test";
        await using (var db = server.Database.Context(owner.BusinessId))
        {
            db.Users.Add(new User { Email = email, DisplayName = "Damaged", PasswordHash = "$2b$12$" + new string('!', 53) });
            await db.SaveChangesAsync();
        }
        var response = await server.Anonymous().PostAsJsonAsync("/api/auth/login", new { email, password = "anything at all" });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}

public sealed class LegacyPasswordTests_Sqlite(SqliteApi server) : LegacyPasswordTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class LegacyPasswordTests_Postgres(PostgresApi server) : LegacyPasswordTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
