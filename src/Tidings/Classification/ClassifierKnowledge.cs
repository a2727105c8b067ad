using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;

namespace Tidings.Classification;

/// <summary>
/// Each business's <see cref="BusinessKnowledge"/>, read under its tenant and kept for <see cref="Lifetime"/>: a
/// correction made in this process is used at once (<see cref="Forget"/>), one made by another process within that
/// time, well inside the minute the issue allows.
/// </summary>
public sealed class ClassifierKnowledge(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    /// <summary>The most examples a business's classifications read, newest first: bounds memory and the time to embed them.</summary>
    public const int MaxExamples = 5000;

    private readonly ConcurrentDictionary<Guid, (BusinessKnowledge Knowledge, DateTimeOffset LoadedAt)> _cache = new();

    /// <summary>The knowledge of the context's current business.</summary>
    public async Task<BusinessKnowledge> ForCurrentBusinessAsync(TidingsDbContext db, CancellationToken ct)
    {
        var businessId = db.Tenant.RequireBusinessId();
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(businessId, out var cached) && now - cached.LoadedAt < Lifetime)
            return cached.Knowledge;

        var categories = await db.Categories.AsNoTracking()
            .Select(c => new TaxonomyEntry(c.Key, c.Parent != null ? c.Parent.Key : null, c.Signal, c.Weight, c.Name, c.Description))
            .ToListAsync(ct);
        var examples = await db.ClassificationExamples.AsNoTracking()
            .OrderByDescending(e => e.UpdatedAt).Take(MaxExamples)
            .Select(e => new LearnedExample(e.Id, e.Category, e.Subcategory, e.Title, e.Description, e.ClientName))
            .ToListAsync(ct);
        var knowledge = new BusinessKnowledge(categories, examples);
        // Keep what the classifier derived from examples it has seen before (their embeddings), keyed by example id.
        if (cached.Knowledge is { Memory: not null } previous)
            knowledge.Memory = previous.Memory;
        _cache[businessId] = (knowledge, now);
        return knowledge;
    }

    /// <summary>Drops the business's knowledge: its next classification reads the taxonomy and examples again.</summary>
    public void Forget(Guid businessId) => _cache.TryRemove(businessId, out _);
}
