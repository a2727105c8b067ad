using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Events;

namespace Tidings.Classification;

/// <summary>
/// A member set or confirmed an event's category: the event is theirs from now on (never relabelled by the classifier,
/// never waiting for review), and its label becomes the business's example for the classifier. Saved by the caller's
/// SaveChanges, so the example is audited like any row; the caller then calls <see cref="ClassifierKnowledge.Forget"/>
/// once it has committed.
/// </summary>
public static class Corrections
{
    /// <summary>
    /// Marks <paramref name="ev"/> as labelled by a person and writes its example (one live example per event: a second
    /// label relabels it). The classifier's confidence and evidence stay as a record of what it had said.
    /// </summary>
    public static async Task RecordAsync(TidingsDbContext db, Event ev, string? clientName, CancellationToken ct)
    {
        ev.ClassifiedBy = ClassifiedBy.Person;
        var example = await db.ClassificationExamples.SingleOrDefaultAsync(x => x.EventId == ev.Id, ct);
        if (example is null)
            db.ClassificationExamples.Add(example = new ClassificationExample { EventId = ev.Id, Category = ev.Category, Title = ev.Title });
        example.Category = ev.Category;
        example.Subcategory = ev.Subcategory;
        example.Title = ev.Title;
        example.Description = ev.Description;
        example.ClientName = clientName;
    }
}
