using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;

namespace Tidings.Classification;

/// <param name="Examined">Live events the classifier had labelled, classified again.</param>
/// <param name="Changed">Those whose category or subcategory it changed.</param>
public sealed record ReclassifiedDto(int Examined, int Changed, string ClassifierVersion);

/// <summary>
/// POST /api/categories/reclassify: the business's live events that the classifier labelled and nobody reviewed are
/// classified again with what the business knows now (its taxonomy and examples), <see cref="ChunkSize"/> at a time.
/// A person's label and a category that came with the event are never touched. Each chunk is classified outside its
/// transaction, then written in one through the change tracker (each changed event audited), skipping any event a
/// person labelled or edited meanwhile. Only the label moves (category, subcategory, confidence, evidence, version):
/// relevance and sentiment may have come from the sender, which the event does not record.
/// </summary>
public static class Reclassification
{
    public const int ChunkSize = 200;

    private sealed record Read(Guid Id, string Title, string? Description, string ClientName, DateTime EventDate);

    public static async Task<Ok<ReclassifiedDto>> RunAsync(TidingsDbContext db, HeadlineClassifier classifier, ClassifierKnowledge knowledge, CancellationToken ct)
    {
        // The examples a person gave a moment ago in another process count too.
        knowledge.Forget(db.Tenant.RequireBusinessId());
        var known = await knowledge.ForCurrentBusinessAsync(db, ct);
        var (examined, changed) = (0, 0);
        Guid? after = null;
        while (true)
        {
            var next = ByClassifier(db).AsNoTracking();
            if (after is { } last)
                next = next.Where(e => e.Id.CompareTo(last) > 0);
            var chunk = await next.OrderBy(e => e.Id).Take(ChunkSize)
                .Select(e => new Read(e.Id, e.Title, e.Description, e.Client!.Name, e.EventDate))
                .ToListAsync(ct);
            if (chunk.Count == 0)
                break;
            var verdicts = classifier.Classify(chunk.Select(e => new Headline(e.Title, e.Description, e.ClientName, e.EventDate)).ToList(), known, db.Clock.GetUtcNow().UtcDateTime);
            changed += await db.InTransactionAsync(async ct =>
            {
                var ids = chunk.Select(e => e.Id).ToList();
                var rows = await ByClassifier(db).Where(e => ids.Contains(e.Id)).ToDictionaryAsync(e => e.Id, ct);
                var moved = 0;
                for (var i = 0; i < chunk.Count; i++)
                    if (rows.TryGetValue(chunk[i].Id, out var ev) && ev.Title == chunk[i].Title && ev.Description == chunk[i].Description
                        && EventLabels.Apply(ev, verdicts[i], known, classifier.Version))
                        moved++;
                await db.SaveChangesAsync(ct);
                return moved;
            }, ct);
            examined += chunk.Count;
            after = chunk[^1].Id;
        }
        return TypedResults.Ok(new ReclassifiedDto(examined, changed, classifier.Version));
    }

    /// <summary>Live events whose category the classifier chose (<see cref="ClassifiedBy.IsClassifier"/>, in SQL).</summary>
    private static IQueryable<Events.Event> ByClassifier(TidingsDbContext db) =>
        db.Events.Where(e => e.ClassifiedBy != null && e.ClassifiedBy != ClassifiedBy.Person);
}
