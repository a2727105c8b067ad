using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.Tenancy;
using Tidings.Users;
using Tidings.Web;

namespace Tidings.Pages.Users;

/// <summary>
/// The business's people by UsersApi's own methods: add one with an initial password, change a role, deactivate or
/// reactivate, set a new password, remove. The API's owner rules answer in words (only an owner touches owners; the business keeps an active owner).
/// </summary>
[Authorize(Policy = Policies.Admin)]
public sealed class IndexModel(TidingsDbContext db) : PageModel
{
    public const int Shown = 500;

    public List<User> People { get; private set; } = [];

    [BindProperty] public string? DisplayName { get; set; }
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string? Role { get; set; }
    [BindProperty] public string? Password { get; set; }

    /// <summary>The errors of the form that was posted: the add form's, or those of the person <see cref="ActingOn"/>.</summary>
    public FieldErrors Errors { get; } = new();
    public Guid? ActingOn { get; private set; }
    public string? Refusal { get; private set; }
    public string? Notice { get; private set; }

    public async Task OnGetAsync(string? done, CancellationToken ct)
    {
        Notice = NoticeOf(done);
        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostAddAsync(CancellationToken ct)
    {
        var request = new CreateUserRequest(Email, DisplayName, string.IsNullOrEmpty(Role) ? null : Role, Password);
        // The API leaves a taken email to the database's unique index (409); the page says so by the field instead.
        if (!string.IsNullOrWhiteSpace(Email) && await db.IsEmailRegisteredAsync(Tidings.Users.User.Normalize(Email), ct))
            Errors.Add("email", "This email is registered already.");
        var answer = Errors.Any ? new ApiAnswer(400, null, null)
            : ApiAnswer.Of(await UsersApi.CreateAsync(request, base.User, db, Response, ct), Errors);
        if (answer.Succeeded)
        {
            (DisplayName, Email, Role, Password) = (null, null, null, null);
            ModelState.Clear();
        }
        return await AnswerAsync(answer, "added", ct);
    }

    public Task<IActionResult> OnPostRoleAsync(Guid id, string? newRole, CancellationToken ct) =>
        EditAsync(id, new UserEdit(HasRole: true, Role: newRole), "role", ct);

    public Task<IActionResult> OnPostActiveAsync(Guid id, bool active, CancellationToken ct) =>
        EditAsync(id, new UserEdit(IsActive: active), active ? "reactivated" : "deactivated", ct);

    public Task<IActionResult> OnPostPasswordAsync(Guid id, string? newPassword, CancellationToken ct) =>
        EditAsync(id, new UserEdit(HasPassword: true, Password: newPassword), "password", ct);

    /// <summary>DELETE /api/users/{id}'s code: deactivated and hidden from the list, their history kept under their name.</summary>
    public async Task<IActionResult> OnPostRemoveAsync(Guid id, CancellationToken ct)
    {
        ActingOn = id;
        var answer = ApiAnswer.Of(await UsersApi.DeleteAsync(id, Request, base.User, db, ct), Errors);
        return await AnswerAsync(answer, "removed", ct);
    }

    private async Task<IActionResult> EditAsync(Guid id, UserEdit edit, string done, CancellationToken ct)
    {
        ActingOn = id;
        var answer = ApiAnswer.Of(await UsersApi.EditAsync(id, edit, Errors, base.User, db, HttpContext, ct), Errors);
        return await AnswerAsync(answer, done, ct);
    }

    /// <summary>htmx gets the page's body again (with the notice or the errors); a plain post a redirect, or the page with its errors.</summary>
    private async Task<IActionResult> AnswerAsync(ApiAnswer answer, string done, CancellationToken ct)
    {
        if (answer is { Status: StatusCodes.Status404NotFound, Refusal: null })
            return NotFound();
        if (answer.Succeeded)
        {
            ActingOn = null;
            if (!Request.IsHtmx())
                return Redirect($"/users?done={done}");
            Notice = NoticeOf(done);
        }
        else
            Refusal = Errors.Any ? null : answer.Refusal ?? "That could not be done.";
        await LoadAsync(ct);
        return Request.IsHtmx() ? Partial("_Users", this) : Page();
    }

    private async Task LoadAsync(CancellationToken ct) =>
        People = await db.Users.AsNoTracking().OrderBy(u => u.DisplayName).ThenBy(u => u.Id).Take(Shown).ToListAsync(ct);

    private static string? NoticeOf(string? done) => done switch
    {
        "added" => "User added: they can sign in with the email and password you gave.",
        "role" => "Role changed. Their sessions ended: they sign in again.",
        "deactivated" => "User deactivated: they can no longer sign in.",
        "reactivated" => "User reactivated: they can sign in again.",
        "password" => "Password set. Their sessions ended: they sign in with the new password.",
        "removed" => "User removed: they can no longer sign in, and what they did stays in the history under their name.",
        _ => null,
    };

    /// <summary>The messages of a field of one person's form, under an id of its own.</summary>
    public FieldMessages MessagesOf(Guid id, string field) =>
        new($"{field}-{id:N}-error", ActingOn == id ? Errors.For(field) : []);

    public FieldMessages AddMessages(string field) => ActingOn is null ? FieldMessages.Of(Errors, field) : new($"{field}-error", []);
}
