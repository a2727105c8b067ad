using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Tests.Infrastructure;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Tests.Users;

public abstract class UsersApiTests<TDatabase>(TidingsServer<TDatabase> server) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task Members_viewers_and_strangers_cannot_reach_the_user_routes()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var viewer = await server.AddUserAsync(owner, UserRoles.Viewer);
        await WarmUpAsync(member, viewer);
        var auditBefore = await AuditCountAsync(owner);

        foreach (var caller in new[] { member, viewer })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await caller.Http.GetAsync("/api/users")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await caller.Http.GetAsync($"/api/users/{owner.Id}")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await caller.Http.PostAsJsonAsync("/api/users", NewUser(UserRoles.Viewer))).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await Send(caller, HttpMethod.Patch, $"/api/users/{caller.Id}", new { role = UserRoles.Admin })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await caller.Http.DeleteAsync($"/api/users/{owner.Id}")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Anonymous().GetAsync("/api/users")).StatusCode);

        Assert.Equal(auditBefore, await AuditCountAsync(owner));
        Assert.Equal(UserRoles.Member, (await StoredAsync(owner, member.Id)).Role);
        Assert.Equal(3, await UserCountAsync(owner));
    }

    [Theory]
    [InlineData(UserRoles.Admin)]
    [InlineData(UserRoles.Member)]
    [InlineData(UserRoles.Viewer)]
    public async Task An_admin_creates_a_user_who_signs_in_with_the_initial_password(string role)
    {
        var owner = await server.SignUpAsync();
        var admin = await server.AddUserAsync(owner, UserRoles.Admin);
        var request = NewUser(role);

        var response = await admin.Http.PostAsJsonAsync("/api/users", request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<UserDto>())!;
        Assert.Equal($"/api/users/{created.Id}", response.Headers.Location?.OriginalString);
        Assert.NotNull(response.Headers.ETag);
        Assert.Equal((request.email, request.displayName, role, true, false), (created.Email, created.DisplayName, created.Role, created.IsActive, created.IsDeleted));
        Assert.DoesNotContain("password", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        var fetched = await admin.Http.GetAsync($"/api/users/{created.Id}");
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        Assert.Equal(response.Headers.ETag, fetched.Headers.ETag);

        var signedIn = await server.LogInAsync(request.email, role);
        var me = (await signedIn.Http.GetFromJsonAsync<MeDto>("/api/me"))!;
        Assert.Equal((created.Id, role, owner.BusinessId), (me.Id, me.Role, me.Business.Id));
        Assert.NotNull((await admin.Http.GetFromJsonAsync<UserDto>($"/api/users/{created.Id}"))!.LastLoginAt);
    }

    [Fact]
    public async Task Only_an_owner_creates_an_owner()
    {
        var owner = await server.SignUpAsync();
        var admin = await server.AddUserAsync(owner, UserRoles.Admin);
        await WarmUpAsync(admin);
        var auditBefore = await AuditCountAsync(owner);

        var byAdmin = await admin.Http.PostAsJsonAsync("/api/users", NewUser(UserRoles.Owner));
        Assert.Equal(HttpStatusCode.Forbidden, byAdmin.StatusCode);
        Assert.Equal("application/problem+json", byAdmin.Content.Headers.ContentType?.MediaType);
        Assert.Equal(auditBefore, await AuditCountAsync(owner));
        Assert.Equal(2, await UserCountAsync(owner));

        var byOwner = await owner.Http.PostAsJsonAsync("/api/users", NewUser(UserRoles.Owner));
        Assert.Equal(HttpStatusCode.Created, byOwner.StatusCode);
        Assert.Equal(UserRoles.Owner, (await byOwner.Content.ReadFromJsonAsync<UserDto>())!.Role);
    }

    [Fact]
    public async Task The_list_pages_through_everyone_by_display_name_and_filters_by_role_and_activity()
    {
        var owner = await server.SignUpAsync();
        var names = new[] { "Dora", "alice", "Bob", "Carol", "Eve" };
        var ids = new Dictionary<string, Guid>();
        foreach (var (name, i) in names.Select((n, i) => (n, i)))
        {
            var response = await owner.Http.PostAsJsonAsync("/api/users", NewUser(i % 2 == 0 ? UserRoles.Viewer : UserRoles.Member, name));
            ids[name] = (await response.Content.ReadFromJsonAsync<UserDto>())!.Id;
        }
        Assert.Equal(HttpStatusCode.OK, (await Send(owner, HttpMethod.Patch, $"/api/users/{ids["Carol"]}", new { isActive = false })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/users/{ids["Eve"]}")).StatusCode);

        var all = await PagesAsync(owner, "/api/users?limit=2");
        Assert.Equal(6, all.Count);
        Assert.Equal(all.Select(u => u.Id).Distinct().Count(), all.Count);
        var expected = all.OrderBy(u => u.DisplayName, StringComparer.Ordinal).ThenBy(u => u.Id).Select(u => u.DisplayName);
        if (server.Database.Provider == DatabaseProvider.Sqlite)
            Assert.Equal(expected, all.Select(u => u.DisplayName)); // binary collation; PostgreSQL's follows its locale
        Assert.Equal(["Bob", "Carol", "Dora", "Eve", "Owner", "alice"], all.Select(u => u.DisplayName).Order(StringComparer.Ordinal));
        var eve = all.Single(u => u.Id == ids["Eve"]);
        Assert.True(eve.IsDeleted);
        Assert.False(eve.IsActive);

        var viewers = await PagesAsync(owner, "/api/users?role=viewer");
        Assert.Equal(["Bob", "Dora", "Eve"], viewers.Select(u => u.DisplayName).Order());
        var inactive = await PagesAsync(owner, "/api/users?active=false");
        Assert.Equal(["Carol", "Eve"], inactive.Select(u => u.DisplayName).Order());
        var activeMembers = await PagesAsync(owner, "/api/users?role=member&active=true");
        Assert.Equal(["alice"], activeMembers.Select(u => u.DisplayName));
    }

    [Fact]
    public async Task A_patch_changes_name_role_and_password_and_a_stale_if_match_is_412()
    {
        var owner = await server.SignUpAsync();
        var admin = await server.AddUserAsync(owner, UserRoles.Admin);
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var etag = (await admin.Http.GetAsync($"/api/users/{member.Id}")).Headers.ETag!.Tag;

        var changed = await Send(admin, HttpMethod.Patch, $"/api/users/{member.Id}",
            new { displayName = "  Renamed  ", role = UserRoles.Admin, password = "a brand new password" }, etag);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var dto = (await changed.Content.ReadFromJsonAsync<UserDto>())!;
        Assert.Equal(("Renamed", UserRoles.Admin), (dto.DisplayName, dto.Role));
        Assert.NotEqual(etag, changed.Headers.ETag!.Tag);

        // A reset password and a new role end the sessions the user had.
        Assert.Equal(HttpStatusCode.Unauthorized, (await member.Http.GetAsync("/api/me")).StatusCode);
        var oldPassword = await server.Anonymous().PostAsJsonAsync("/api/auth/login", new { email = member.Email, password = ApiUser.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, oldPassword.StatusCode);
        var newPassword = await server.Anonymous().PostAsJsonAsync("/api/auth/login", new { email = member.Email, password = "a brand new password" });
        Assert.Equal(HttpStatusCode.OK, newPassword.StatusCode);

        var auditBefore = await AuditCountAsync(owner);
        var stale = await Send(admin, HttpMethod.Patch, $"/api/users/{member.Id}", new { displayName = "Lost update" }, etag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await Send(admin, HttpMethod.Delete, $"/api/users/{member.Id}", null, etag)).StatusCode);
        Assert.Equal("Renamed", (await StoredAsync(owner, member.Id)).DisplayName);
        Assert.Equal(auditBefore, await AuditCountAsync(owner));

        var update = (await AuditOfAsync(owner, member.Id)).Single(a => a.Action == AuditActions.Update && a.ChangedFields!.Contains("password_hash"));
        var password = JsonDocument.Parse(update.NewValues!).RootElement;
        Assert.Equal("***", password.GetProperty("password_hash").GetString());
    }

    [Fact]
    public async Task An_admin_cannot_change_remove_or_make_an_owner()
    {
        var owner = await server.SignUpAsync();
        var admin = await server.AddUserAsync(owner, UserRoles.Admin);
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var before = EntitySets.Values(await StoredAsync(owner, owner.Id));

        Assert.Equal(HttpStatusCode.Forbidden, (await Send(admin, HttpMethod.Patch, $"/api/users/{owner.Id}", new { displayName = "Usurped" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(admin, HttpMethod.Patch, $"/api/users/{owner.Id}", new { isActive = false })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(admin, HttpMethod.Patch, $"/api/users/{member.Id}", new { role = UserRoles.Owner })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(admin, HttpMethod.Patch, $"/api/users/{admin.Id}", new { role = UserRoles.Owner })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.Http.DeleteAsync($"/api/users/{owner.Id}")).StatusCode);
        Assert.Equal(before, EntitySets.Values(await StoredAsync(owner, owner.Id)));
        Assert.Equal(UserRoles.Member, (await StoredAsync(owner, member.Id)).Role);

        // An admin manages admins, members and viewers; an owner manages everyone.
        Assert.Equal(HttpStatusCode.OK, (await Send(admin, HttpMethod.Patch, $"/api/users/{member.Id}", new { role = UserRoles.Admin })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send(owner, HttpMethod.Patch, $"/api/users/{member.Id}", new { role = UserRoles.Owner })).StatusCode);
        Assert.Equal(UserRoles.Owner, (await StoredAsync(owner, member.Id)).Role);
    }

    [Fact]
    public async Task The_last_active_owner_cannot_be_demoted_deactivated_or_removed()
    {
        var owner = await server.SignUpAsync();
        var self = $"/api/users/{owner.Id}";
        Assert.Equal(HttpStatusCode.Conflict, (await Send(owner, HttpMethod.Patch, self, new { role = UserRoles.Admin })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Send(owner, HttpMethod.Patch, self, new { isActive = false })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await owner.Http.DeleteAsync(self)).StatusCode);
        Assert.Equal((UserRoles.Owner, true), Pair(await StoredAsync(owner, owner.Id)));

        // An inactive owner does not count: the business needs one who can sign in.
        var second = (await (await owner.Http.PostAsJsonAsync("/api/users", NewUser(UserRoles.Owner))).Content.ReadFromJsonAsync<UserDto>())!;
        Assert.Equal(HttpStatusCode.OK, (await Send(owner, HttpMethod.Patch, $"/api/users/{second.Id}", new { isActive = false })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Send(owner, HttpMethod.Patch, self, new { role = UserRoles.Member })).StatusCode);

        // With a second active owner the first may step down; then the second is the last one.
        Assert.Equal(HttpStatusCode.OK, (await Send(owner, HttpMethod.Patch, $"/api/users/{second.Id}", new { isActive = true })).StatusCode);
        var other = await server.LogInAsync(second.Email, UserRoles.Owner);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await owner.Http.DeleteAsync(self)).StatusCode); // not yourself
        Assert.Equal(HttpStatusCode.OK, (await Send(owner, HttpMethod.Patch, self, new { role = UserRoles.Admin })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await other.Http.DeleteAsync($"/api/users/{other.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Send(other, HttpMethod.Patch, $"/api/users/{other.Id}", new { role = UserRoles.Viewer })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await owner.Http.DeleteAsync($"/api/users/{other.Id}")).StatusCode);
        Assert.Equal((UserRoles.Owner, true), Pair(await StoredAsync(owner, other.Id)));
    }

    [Fact]
    public async Task Deactivating_a_user_ends_their_sessions_and_sign_in_until_reactivated()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        Assert.Equal(HttpStatusCode.OK, (await member.Http.GetAsync("/api/me")).StatusCode);

        var response = await Send(owner, HttpMethod.Patch, $"/api/users/{member.Id}", new { isActive = false });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False((await response.Content.ReadFromJsonAsync<UserDto>())!.IsActive);
        Assert.Equal(HttpStatusCode.Unauthorized, (await member.Http.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Anonymous().PostAsJsonAsync("/api/auth/login", new { email = member.Email, password = ApiUser.Password })).StatusCode);
        Assert.Equal(0, await TokenCountAsync(owner, member.Id));

        Assert.Equal(HttpStatusCode.OK, (await Send(owner, HttpMethod.Patch, $"/api/users/{member.Id}", new { isActive = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await member.Http.GetAsync("/api/me")).StatusCode); // old sessions stay ended
        var again = await server.LogInAsync(member.Email, UserRoles.Member);
        Assert.Equal(HttpStatusCode.OK, (await again.Http.GetAsync("/api/me")).StatusCode);
    }

    [Theory]
    [InlineData("""{"password":"a brand new password"}""")]
    [InlineData("""{"role":"viewer"}""")]
    [InlineData("""{"isActive":false}""")]
    public async Task A_reset_a_new_role_or_a_deactivation_ends_all_the_persons_sessions_and_tokens_in_the_same_save(string body)
    {
        var owner = await server.SignUpAsync();
        var admin = await server.AddUserAsync(owner, UserRoles.Admin);
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var phone = await server.LogInAsync(member.Email, UserRoles.Member);
        var created = await member.Http.PostAsJsonAsync("/api/me/tokens", new { name = "script" });
        var script = server.Authorized((await created.Content.ReadFromJsonAsync<TokenCreatedDto>())!.Token);
        Assert.Equal(3, await TokenCountAsync(owner, member.Id));

        var response = await Send(admin, HttpMethod.Patch, $"/api/users/{member.Id}", JsonNode.Parse(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (var client in new[] { member.Http, phone.Http, script })
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me")).StatusCode);
        Assert.Equal(0, await TokenCountAsync(owner, member.Id));
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync("/api/me")).StatusCode);
        // One save wrote the change and the three deletions: their audit entries carry one time.
        await using var db = server.Database.Context(owner.BusinessId);
        var update = (await AuditOfAsync(owner, member.Id))[^1];
        var ended = await db.AuditLogs.Where(a => a.TableName == "api_tokens" && a.Action == AuditActions.Delete).ToListAsync();
        Assert.Equal(3, ended.Count);
        Assert.All(ended, a => Assert.Equal((update.CreatedAt, admin.Id), (a.CreatedAt, a.UserId)));
    }

    [Fact]
    public async Task An_admin_sets_their_own_password_only_through_the_route_that_asks_for_the_current_one()
    {
        var owner = await server.SignUpAsync();
        var admin = await server.AddUserAsync(owner, UserRoles.Admin);
        var before = EntitySets.Values(await StoredAsync(owner, admin.Id));

        var response = await Send(admin, HttpMethod.Patch, $"/api/users/{admin.Id}", new { password = "taken over at last" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, EntitySets.Values(await StoredAsync(owner, admin.Id)));
        Assert.Equal(HttpStatusCode.OK, (await server.Anonymous().PostAsJsonAsync("/api/auth/login", new { email = admin.Email, password = ApiUser.Password })).StatusCode);
    }

    [Fact]
    public async Task An_owner_changing_their_own_role_keeps_the_session_they_did_it_from_and_ends_the_others()
    {
        var owner = await server.SignUpAsync();
        Assert.Equal(HttpStatusCode.Created, (await owner.Http.PostAsJsonAsync("/api/users", NewUser(UserRoles.Owner))).StatusCode);
        var other = await server.LogInAsync(owner.Email, UserRoles.Owner);

        Assert.Equal(HttpStatusCode.OK, (await Send(owner, HttpMethod.Patch, $"/api/users/{owner.Id}", new { role = UserRoles.Admin })).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync("/api/users")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.Http.GetAsync("/api/me")).StatusCode);
        Assert.Equal(1, await TokenCountAsync(owner, owner.Id));
    }

    [Fact]
    public async Task An_admin_cannot_deactivate_or_remove_themselves()
    {
        var owner = await server.SignUpAsync();
        var admin = await server.AddUserAsync(owner, UserRoles.Admin);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Send(admin, HttpMethod.Patch, $"/api/users/{admin.Id}", new { isActive = false })).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await admin.Http.DeleteAsync($"/api/users/{admin.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync("/api/me")).StatusCode);
        Assert.Equal((UserRoles.Admin, true), Pair(await StoredAsync(owner, admin.Id)));
    }

    [Fact]
    public async Task Removing_a_user_deactivates_hides_and_revokes_them_but_keeps_their_history()
    {
        var owner = await server.SignUpAsync();
        var admin = await server.AddUserAsync(owner, UserRoles.Admin);
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        Assert.Equal(HttpStatusCode.Created, (await member.Http.PostAsJsonAsync("/api/me/tokens", new { name = "script" })).StatusCode);
        Assert.Equal(2, await TokenCountAsync(owner, member.Id));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/api/users/{member.Id}")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await member.Http.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Anonymous().PostAsJsonAsync("/api/auth/login", new { email = member.Email, password = ApiUser.Password })).StatusCode);
        Assert.Equal(0, await TokenCountAsync(owner, member.Id));
        var stored = await StoredAsync(owner, member.Id);
        Assert.Equal((false, true, admin.Id), (stored.IsActive, stored.IsDeleted, stored.DeletedByUserId));
        var trail = await AuditOfAsync(owner, member.Id);
        Assert.Equal(AuditActions.Create, trail[0].Action);
        Assert.Equal([AuditActions.Update, AuditActions.Delete], trail.TakeLast(2).Select(a => a.Action));
        Assert.Equal(["is_active"], JsonSerializer.Deserialize<string[]>(trail[^2].ChangedFields!)!);
        Assert.All(trail.TakeLast(2), a => Assert.Equal(admin.Id, a.UserId));

        var fetched = (await admin.Http.GetFromJsonAsync<UserDto>($"/api/users/{member.Id}"))!;
        Assert.True(fetched.IsDeleted);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.DeleteAsync($"/api/users/{member.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(admin, HttpMethod.Patch, $"/api/users/{member.Id}", new { isActive = true })).StatusCode);

        // The email is free again for a new account.
        var reused = await admin.Http.PostAsJsonAsync("/api/users", NewUser(UserRoles.Viewer) with { email = member.Email });
        Assert.Equal(HttpStatusCode.Created, reused.StatusCode);
    }

    [Fact]
    public async Task An_email_in_use_in_this_or_another_business_is_a_conflict_and_writes_nothing()
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        var elsewhere = await server.SignUpAsync();
        await WarmUpAsync(owner);
        var auditBefore = await AuditCountAsync(owner);

        foreach (var email in new[] { member.Email.ToUpperInvariant(), elsewhere.Email })
        {
            var response = await owner.Http.PostAsJsonAsync("/api/users", NewUser(UserRoles.Viewer) with { email = email });
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(2, await UserCountAsync(owner));
        Assert.Equal(auditBefore, await AuditCountAsync(owner));
    }

    [Fact]
    public async Task Another_business_users_answer_404_and_stay_unchanged()
    {
        var a = await server.SignUpAsync();
        var b = await server.SignUpAsync();
        var bMember = await server.AddUserAsync(b, UserRoles.Member);
        var before = new[] { EntitySets.Values(await StoredAsync(b, b.Id)), EntitySets.Values(await StoredAsync(b, bMember.Id)) };
        var bAudit = await AuditCountAsync(b);

        foreach (var id in new[] { b.Id, bMember.Id })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await a.Http.GetAsync($"/api/users/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await Send(a, HttpMethod.Patch, $"/api/users/{id}", new { displayName = "Taken over", isActive = false })).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await a.Http.DeleteAsync($"/api/users/{id}")).StatusCode);
        }
        var listed = await PagesAsync(a, "/api/users");
        Assert.Equal([a.Id], listed.Select(u => u.Id));

        Assert.Equal(before, new[] { EntitySets.Values(await StoredAsync(b, b.Id)), EntitySets.Values(await StoredAsync(b, bMember.Id)) });
        Assert.Equal(bAudit, await AuditCountAsync(b));
        Assert.Equal(HttpStatusCode.OK, (await bMember.Http.GetAsync("/api/me")).StatusCode);
    }

    public static TheoryData<string, string, string?> BadInputs => new()
    {
        // POST /api/users
        { "POST", "/api/users", """{"displayName":"X","role":"member","password":"long enough pw"}""" },
        { "POST", "/api/users", """{"email":"not-an-email","displayName":"X","role":"member","password":"long enough pw"}""" },
        { "POST", "/api/users", $$"""{"email":"{{new string('a', 310)}}@example.test","displayName":"X","role":"member","password":"long enough pw"}""" },
        { "POST", "/api/users", """{"email":"{new}","role":"member","password":"long enough pw"}""" },
        { "POST", "/api/users", $$"""{"email":"{new}","displayName":"{{new string('n', 201)}}","role":"member","password":"long enough pw"}""" },
        { "POST", "/api/users", """{"email":"{new}","displayName":"   ","role":"member","password":"long enough pw"}""" },
        { "POST", "/api/users", """{"email":"{new}","displayName":"X","password":"long enough pw"}""" },
        { "POST", "/api/users", """{"email":"{new}","displayName":"X","role":"superuser","password":"long enough pw"}""" },
        { "POST", "/api/users", """{"email":"{new}","displayName":"X","role":"member"}""" },
        { "POST", "/api/users", """{"email":"{new}","displayName":"X","role":"member","password":"short"}""" },
        { "POST", "/api/users", $$"""{"email":"{new}","displayName":"X","role":"member","password":"{{new string('p', 201)}}"}""" },
        { "POST", "/api/users", """{"email":"{new}","displayName":"X","role":"member","password":"long enough pw","isActive":false}""" },
        { "POST", "/api/users", """{"email":42,"displayName":"X","role":"member","password":"long enough pw"}""" },
        { "POST", "/api/users", """{"email":"{new}","displayName":""" },
        { "POST", "/api/users", """[]""" },
        { "POST", "/api/users", null },
        // PATCH /api/users/{id}
        { "PATCH", "/api/users/{member}", """{"displayName":""}""" },
        { "PATCH", "/api/users/{member}", """{"displayName":null}""" },
        { "PATCH", "/api/users/{member}", $$"""{"displayName":"{{new string('n', 201)}}"}""" },
        { "PATCH", "/api/users/{member}", """{"role":"boss"}""" },
        { "PATCH", "/api/users/{member}", """{"role":null}""" },
        { "PATCH", "/api/users/{member}", """{"isActive":"yes"}""" },
        { "PATCH", "/api/users/{member}", """{"isActive":null}""" },
        { "PATCH", "/api/users/{member}", """{"password":"short"}""" },
        { "PATCH", "/api/users/{member}", """{"password":12345678901}""" },
        { "PATCH", "/api/users/{member}", """{"email":"new@example.test"}""" },
        { "PATCH", "/api/users/{member}", """{"displayName":"Fine","isDeleted":true}""" },
        { "PATCH", "/api/users/{member}", """["displayName"]""" },
        { "PATCH", "/api/users/{member}", """{"displayName":""" },
        { "PATCH", "/api/users/not-a-uuid", """{"displayName":"X"}""" },
        // DELETE and GET
        { "DELETE", "/api/users/not-a-uuid", null },
        { "GET", "/api/users/12345", null },
        { "GET", "/api/users?role=boss", null },
        { "GET", "/api/users?active=maybe", null },
        { "GET", "/api/users?limit=0", null },
        { "GET", "/api/users?limit=201", null },
        { "GET", "/api/users?limit=ten", null },
        { "GET", "/api/users?cursor=not-a-cursor", null },
        { "GET", "/api/users?cursor=eyJJZCI6MX0", null },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_answers_400_and_writes_nothing(string method, string path, string? body)
    {
        var owner = await server.SignUpAsync();
        var member = await server.AddUserAsync(owner, UserRoles.Member);
        await WarmUpAsync(owner);
        var before = (Audit: await AuditCountAsync(owner), Users: await UserCountAsync(owner), Member: EntitySets.Values(await StoredAsync(owner, member.Id)));

        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{member}", member.Id.ToString()));
        if (body is not null)
            request.Content = new StringContent(body.Replace("{new}", $"new-{Guid.NewGuid():N}@example.test"), Encoding.UTF8, "application/json");
        var response = await owner.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", await response.Content.ReadAsStringAsync());
        Assert.Equal(before, (await AuditCountAsync(owner), await UserCountAsync(owner), EntitySets.Values(await StoredAsync(owner, member.Id))));
    }

    private sealed record NewUserRequest(string email, string displayName, string role, string password);

    private static NewUserRequest NewUser(string role, string displayName = "New person") =>
        new($"{role}-{Guid.NewGuid():N}@example.test", displayName, role, ApiUser.Password);

    /// <summary>A token's first use stamps its last_used_at (an audited write): done before counting writes.</summary>
    private static async Task WarmUpAsync(params ApiUser[] callers)
    {
        foreach (var caller in callers)
            Assert.Equal(HttpStatusCode.OK, (await caller.Http.GetAsync("/api/me")).StatusCode);
    }

    private static (string, bool) Pair(User user) => (user.Role, user.IsActive);

    private static async Task<HttpResponseMessage> Send(ApiUser caller, HttpMethod method, string path, object? body, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = JsonContent.Create(body);
        if (ifMatch is not null)
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return await caller.Http.SendAsync(request);
    }

    private async Task<List<UserDto>> PagesAsync(ApiUser caller, string path)
    {
        var all = new List<UserDto>();
        string? cursor = null;
        do
        {
            var separator = path.Contains('?') ? '&' : '?';
            var page = (await caller.Http.GetFromJsonAsync<Page<UserDto>>(cursor is null ? path : $"{path}{separator}cursor={cursor}"))!;
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        } while (cursor is not null && all.Count < 100);
        return all;
    }

    private async Task<User> StoredAsync(ApiUser anyone, Guid userId)
    {
        await using var db = server.Database.Context(anyone.BusinessId);
        return await db.Users.IgnoreQueryFilters([SoftDeleteRules.Filter]).AsNoTracking().SingleAsync(u => u.Id == userId);
    }

    private async Task<int> UserCountAsync(ApiUser anyone)
    {
        await using var db = server.Database.Context(anyone.BusinessId);
        return await db.Users.IgnoreQueryFilters([SoftDeleteRules.Filter]).CountAsync();
    }

    private async Task<int> TokenCountAsync(ApiUser anyone, Guid userId)
    {
        await using var db = server.Database.Context(anyone.BusinessId);
        return await db.ApiTokens.CountAsync(t => t.UserId == userId);
    }

    private async Task<int> AuditCountAsync(ApiUser anyone)
    {
        await using var db = server.Database.Context(anyone.BusinessId);
        return await db.AuditLogs.CountAsync();
    }

    private async Task<List<AuditLog>> AuditOfAsync(ApiUser anyone, Guid recordId)
    {
        await using var db = server.Database.Context(anyone.BusinessId);
        var id = recordId.ToString();
        return await db.AuditLogs.Where(a => a.TableName == "users" && a.RecordId == id).OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).ToListAsync();
    }
}

public sealed class UsersApiTests_Sqlite(SqliteApi server) : UsersApiTests<SqliteDatabase>(server), IClassFixture<SqliteApi>;
public sealed class UsersApiTests_Postgres(PostgresApi server) : UsersApiTests<PostgresDatabase>(server), IClassFixture<PostgresApi>;
