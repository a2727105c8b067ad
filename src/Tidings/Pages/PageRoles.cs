using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Tidings.Users;

namespace Tidings.Pages;

/// <summary>What the pages show a person by role: a viewer sees no editing controls (the server refuses them the actions anyway).</summary>
public static class PageRoles
{
    public static async Task<bool> CanEditAsync(IAuthorizationService authorization, ClaimsPrincipal user) =>
        (await authorization.AuthorizeAsync(user, Policies.Member)).Succeeded;

    public static async Task<bool> IsAdminAsync(IAuthorizationService authorization, ClaimsPrincipal user) =>
        (await authorization.AuthorizeAsync(user, Policies.Admin)).Succeeded;
}
