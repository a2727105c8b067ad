namespace Tidings.Legacy;

/// <summary>
/// The business an import lands in: an existing one named by what its tenant cannot change (its id, or its
/// slug, unique and fixed at creation), or a new one. Never an existing one by name: any tenant can rename
/// theirs to match, and would receive the old clients, users and passwords.
/// </summary>
public abstract record TargetBusiness
{
    private TargetBusiness() { }

    public sealed record WithId(Guid Id) : TargetBusiness
    {
        public override string ToString() => $"--business-id {Id}";
    }

    public sealed record WithSlug(string Slug) : TargetBusiness
    {
        public override string ToString() => $"--business-slug {Slug}";
    }

    /// <summary>Created by the run; refused when a business already has the name or the slug it gives.</summary>
    public sealed record New(string Name) : TargetBusiness
    {
        public override string ToString() => $"--create-business \"{Name}\"";
    }
}
