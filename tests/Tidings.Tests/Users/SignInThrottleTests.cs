using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using Tidings.Tests.Infrastructure;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Tests.Users;

/// <summary>
/// Sign-in limits behind a known proxy, each client at an address of its own: failures per address and
/// email (3 per five minutes here), failures per email (7 per hour), attempts per address (12 per minute).
/// </summary>
public abstract class SignInThrottleTests<TDatabase>(ProxiedApi<TDatabase> server) where TDatabase : TestDatabase, new()
{
    private const int PairLimit = ProxiedApi<TDatabase>.FailuresPerAddressAndEmail;

    [Fact]
    public async Task A_stranger_failing_again_and_again_does_not_lock_out_the_owner_signing_in_from_elsewhere()
    {
        var owner = await server.SignUpAsync();
        var stranger = server.From(ProxiedApi<TDatabase>.NewAddress());
        for (var i = 0; i < PairLimit; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await LogInAsync(stranger, owner.Email, "guess " + i)).StatusCode);
        // Refused from here on, even with the right password; these refusals count against nothing.
        for (var i = 0; i < 10; i++)
            Assert.Equal(HttpStatusCode.TooManyRequests, (await LogInAsync(stranger, owner.Email, "guess again " + i)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await LogInAsync(stranger, owner.Email, ApiUser.Password)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await LogInAsync(server.From(ProxiedApi<TDatabase>.NewAddress()), owner.Email, ApiUser.Password)).StatusCode);
    }

    [Fact]
    public async Task An_attempt_refused_by_one_limit_takes_nothing_from_the_others()
    {
        var owner = await server.SignUpAsync();
        var colleague = await server.AddUserAsync(owner, UserRoles.Member);
        var address = ProxiedApi<TDatabase>.NewAddress();
        var client = server.From(address);
        for (var i = 0; i < PairLimit; i++)
            await LogInAsync(client, owner.Email, "guess " + i);
        // Far more refusals than the address allows attempts in a minute: had they been counted, the
        // address would now be refused for everyone.
        for (var i = 0; i < ProxiedApi<TDatabase>.AttemptsPerAddressPerMinute + 3; i++)
            Assert.Equal(HttpStatusCode.TooManyRequests, (await LogInAsync(client, owner.Email, "guess again")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await LogInAsync(server.From(address), colleague.Email, ApiUser.Password)).StatusCode);
    }

    [Fact]
    public async Task Successful_sign_ins_are_not_counted_as_failures()
    {
        var owner = await server.SignUpAsync();
        var client = server.From(ProxiedApi<TDatabase>.NewAddress());
        // More than either failure limit allows, and no more than the address's attempts per minute.
        for (var i = 0; i < ProxiedApi<TDatabase>.FailuresPerEmail + 2; i++)
            Assert.Equal(HttpStatusCode.OK, (await LogInAsync(client, owner.Email, ApiUser.Password)).StatusCode);
        for (var i = 0; i < PairLimit - 1; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await LogInAsync(client, owner.Email, "guess " + i)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await LogInAsync(client, owner.Email, ApiUser.Password)).StatusCode);
    }

    [Fact]
    public async Task Failures_for_one_email_from_many_addresses_reach_its_slower_limit_with_a_retry_after()
    {
        var owner = await server.SignUpAsync();
        for (var i = 0; i < ProxiedApi<TDatabase>.FailuresPerEmail; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await LogInAsync(server.From(ProxiedApi<TDatabase>.NewAddress()), owner.Email, "guess " + i)).StatusCode);

        var refused = await LogInAsync(server.From(ProxiedApi<TDatabase>.NewAddress()), owner.Email, ApiUser.Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no Retry-After");
    }

    [Fact]
    public async Task Addresses_of_one_IPv6_64_count_as_one_address()
    {
        var owner = await server.SignUpAsync();
        var prefix = $"2001:db8:{Random.Shared.Next(1, 0xffff):x}:{Random.Shared.Next(1, 0xffff):x}";
        for (var i = 0; i < PairLimit; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await LogInAsync(server.From($"{prefix}::{i + 1:x}"), owner.Email, "guess " + i)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await LogInAsync(server.From($"{prefix}::beef"), owner.Email, ApiUser.Password)).StatusCode);
    }

    [Fact]
    public async Task Failed_and_throttled_sign_ins_are_logged_and_counted_without_the_email_or_the_password()
    {
        var owner = await server.SignUpAsync();
        var measured = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TidingsMetrics.MeterName)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, _, _) => { lock (measured) measured.Add(instrument.Name); });
        listener.Start();

        var client = server.From(ProxiedApi<TDatabase>.NewAddress());
        const string password = "not-the-password-but-secret";
        for (var i = 0; i <= PairLimit; i++)
            await LogInAsync(client, owner.Email, password);

        lock (measured)
        {
            Assert.Contains("tidings.signin.failures", measured);
            Assert.Contains("tidings.signin.throttled", measured);
        }
        var hash = LoginThrottle.EmailHash(Tidings.Users.User.Normalize(owner.Email));
        var entries = server.Logs.Entries;
        Assert.Contains(entries, e => e.Category == typeof(LoginThrottle).FullName && e.Level == Microsoft.Extensions.Logging.LogLevel.Information && e.Message.Contains(hash));
        Assert.Contains(entries, e => e.Category == typeof(LoginThrottle).FullName && e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.Contains(hash));
        Assert.DoesNotContain(entries, e => e.Message.Contains(password) || e.Message.Contains(owner.Email, StringComparison.OrdinalIgnoreCase));
    }

    private static Task<HttpResponseMessage> LogInAsync(HttpClient client, string email, string password) =>
        client.PostAsJsonAsync("/api/auth/login", new { email, password });
}

public sealed class SignInThrottleTests_Sqlite(SqliteProxiedApi server) : SignInThrottleTests<SqliteDatabase>(server), IClassFixture<SqliteProxiedApi>;
public sealed class SignInThrottleTests_Postgres(PostgresProxiedApi server) : SignInThrottleTests<PostgresDatabase>(server), IClassFixture<PostgresProxiedApi>;
