namespace Tidings.Categories;

public sealed record CreateCategoryRequest(string? Key, string? Name, string? Description, Guid? ParentId, string? Signal, double? Weight);

/// <summary>What a change of a category sets: a field whose Has flag is false stays as it is (merge-patch).</summary>
public sealed record CategoryEdit(bool HasName = false, string? Name = null, bool HasDescription = false, string? Description = null,
    bool HasSignal = false, string? Signal = null, bool HasWeight = false, double? Weight = null);

public sealed record MergeCategoryRequest(Guid? Into);

/// <param name="Events">How many live events use it: their category (top level) or subcategory (a subcategory) is its key.</param>
public sealed record CategoryDto(Guid Id, string Key, string Name, string? Description, Guid? ParentId, string? ParentKey,
    string Signal, double Weight, int Events, Guid? CreatedByUserId, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static CategoryDto From(Category c, string? parentKey, int events) =>
        new(c.Id, c.Key, c.Name, c.Description, c.ParentId, parentKey, c.Signal, c.Weight, events, c.CreatedByUserId, c.CreatedAt, c.UpdatedAt);
}

/// <param name="Moved">How many events (those in the trash included) now carry the target's key.</param>
public sealed record CategoryMergeDto(int Moved, CategoryDto Into);
