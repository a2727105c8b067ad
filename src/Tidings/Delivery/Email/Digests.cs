using Tidings.Data;

namespace Tidings.Delivery.Email;

/// <summary>Queues the digests that are due (being written on the email branch).</summary>
public static class Digests
{
    public static Task<int> EnqueueDueAsync(TidingsDbContext db, DateTime now, CancellationToken ct) => Task.FromResult(0);
}
