using System.Net;
using System.Net.Http.Json;
using Tidings.Tests.Infrastructure;
using Tidings.Users;

namespace Tidings.Tests.Web;

/// <summary>
/// X-Forwarded-For and X-Forwarded-Proto count only from a configured proxy: behind one, the session cookie
/// is Secure when the client's request was HTTPS and audit rows name the client; from anyone else (and with
/// no proxy configured, even from loopback) the headers change nothing.
/// </summary>
public abstract class ForwardedHeadersTests<TDatabase>(TidingsServer<TDatabase> direct, ProxiedApi<TDatabase> proxied) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task Forwarded_headers_are_honoured_from_a_known_proxy_only()
    {
        var (viaProxy, viaProxyBusiness) = await SignUpOverHttpsAsync(proxied, "203.0.113.77");
        var (notProxied, directBusiness) = await SignUpOverHttpsAsync(direct, "203.0.113.78");

        Assert.Contains("secure", viaProxy, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("httponly", viaProxy, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", viaProxy, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(["203.0.113.77"], await AuditAddressesAsync(proxied, viaProxyBusiness));

        // Through the chain from the right: a hop in KnownNetworks is passed, an unknown one is where the client is.
        var (_, spoofedBusiness) = await SignUpOverHttpsAsync(proxied, "203.0.113.5, 198.51.100.9");
        var (_, chainedBusiness) = await SignUpOverHttpsAsync(proxied, "203.0.113.6, 192.0.2.10");
        Assert.Equal(["198.51.100.9"], await AuditAddressesAsync(proxied, spoofedBusiness));
        Assert.Equal(["203.0.113.6"], await AuditAddressesAsync(proxied, chainedBusiness));

        Assert.DoesNotContain("secure", notProxied, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("httponly", notProxied, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(["127.0.0.1"], await AuditAddressesAsync(direct, directBusiness));
    }

    /// <summary>Signs up with X-Forwarded-For/Proto as a TLS-terminating proxy sends them; answers the session cookie's attributes.</summary>
    private static async Task<(string[] CookieAttributes, Guid BusinessId)> SignUpOverHttpsAsync(TidingsServer<TDatabase> server, string forwardedFor)
    {
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = server.BaseAddress };
        http.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        http.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        var response = await http.PostAsJsonAsync("/api/auth/signup",
            new { businessName = "Proxied", email = $"owner-{Guid.NewGuid():N}@example.test", password = ApiUser.Password, displayName = "Owner" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(SignIn.CookieName + "=", StringComparison.Ordinal));
        var session = (await response.Content.ReadFromJsonAsync<SessionDto>())!;
        return (cookie.Split(';', StringSplitOptions.TrimEntries)[1..], session.User.Business.Id);
    }

    private static async Task<string[]> AuditAddressesAsync(TidingsServer<TDatabase> server, Guid businessId)
    {
        await using var connection = server.Database.OpenBypassConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT DISTINCT ip_address FROM audit_logs WHERE business_id = @business";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "business";
        parameter.Value = server.Database.Provider == Tidings.Data.DatabaseProvider.Sqlite ? businessId.ToString().ToUpperInvariant() : businessId;
        command.Parameters.Add(parameter);
        var addresses = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            addresses.Add(reader.GetString(0));
        return [.. addresses];
    }
}

public sealed class ForwardedHeadersTests_Sqlite(SqliteApi direct, SqliteProxiedApi proxied)
    : ForwardedHeadersTests<SqliteDatabase>(direct, proxied), IClassFixture<SqliteApi>, IClassFixture<SqliteProxiedApi>;
public sealed class ForwardedHeadersTests_Postgres(PostgresApi direct, PostgresProxiedApi proxied)
    : ForwardedHeadersTests<PostgresDatabase>(direct, proxied), IClassFixture<PostgresApi>, IClassFixture<PostgresProxiedApi>;
