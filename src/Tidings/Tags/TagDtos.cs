namespace Tidings.Tags;

public sealed record CreateTagRequest(string? Name, string? Color);

public sealed record TagDto(Guid Id, string Name, string? Color, Guid? CreatedByUserId, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static TagDto From(Tag t) => new(t.Id, t.Name, t.Color, t.CreatedByUserId, t.CreatedAt, t.UpdatedAt);
}

/// <summary>Keyset of the tag list: name, then id.</summary>
public sealed record TagCursor(string Name, Guid Id);
