using Microsoft.AspNetCore.Mvc;
using Tidings.Web;

namespace Tidings.Pages;

/// <summary>
/// What an API method answered, as a page reads it: the status, the value when it succeeded, a refusal in words
/// (the problem's title and detail), and its field errors copied into the page's own, to show beside their fields.
/// </summary>
public sealed record ApiAnswer(int Status, object? Value, string? Refusal)
{
    public bool Succeeded => Status is >= 200 and < 300;

    public static ApiAnswer Of(IResult result, FieldErrors errors)
    {
        var status = (result as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status200OK;
        switch ((result as IValueHttpResult)?.Value)
        {
            case HttpValidationProblemDetails validation:
                foreach (var (field, messages) in validation.Errors)
                    // A method that filled the page's own errors answers them again in its problem: each message once.
                    foreach (var message in messages.Where(m => !errors.For(field).Contains(m)).ToList())
                        errors.Add(field, message);
                return new(status, null, null);
            case ProblemDetails problem:
                return new(status, null, problem.Detail is null ? problem.Title : $"{problem.Title}. {problem.Detail}");
            case var value:
                return new(status, value, null);
        }
    }
}
