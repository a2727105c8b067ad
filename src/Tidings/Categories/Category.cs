using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Data.Tenancy;

namespace Tidings.Categories;

/// <summary>What news of a category says about the client, for its health signal.</summary>
public static class CategorySignals
{
    public const string Growth = "growth", Risk = "risk", Neutral = "neutral";
    public static readonly IReadOnlyList<string> All = [Growth, Risk, Neutral];
}

/// <summary>
/// One category of a business's own taxonomy: <see cref="Key"/> is the value events store in their category
/// (or subcategory, for a category with a parent). Retiring a category is a soft delete; its key is free again.
/// </summary>
public sealed class Category : ITenantOwned, ISoftDeletable, ITimestamped, ICreatedBy
{
    /// <summary>A key fits where events store it (events.category, events.subcategory).</summary>
    public const int MaxKeyLength = 50, MaxNameLength = 100, MaxDescriptionLength = 1000;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid BusinessId { get; set; }
    public required string Key { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    /// <summary>Set for a subcategory (acquisition's acquirer and target).</summary>
    public Guid? ParentId { get; set; }
    public Category? Parent { get; set; }
    /// <summary>One of <see cref="CategorySignals"/>.</summary>
    public string Signal { get; set; } = CategorySignals.Neutral;
    /// <summary>How much an account team cares about news of this category, 0 to 1: the base of an event's relevance.</summary>
    public double Weight { get; set; } = 0.5;

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public Guid? CreatedByUserId { get; set; }

    public bool IsDeleted { get; set; }
    public DateTime? DeletedAt { get; set; }
    public Guid? DeletedByUserId { get; set; }
}
