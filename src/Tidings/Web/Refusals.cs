namespace Tidings.Web;

/// <summary>The answer to a request that is well-formed but that the business's data does not allow: 422 with the reason.</summary>
public static class Refusals
{
    public static IResult NotAllowed(string detail) =>
        TypedResults.Problem(title: "Not allowed", detail: detail, statusCode: StatusCodes.Status422UnprocessableEntity);
}
