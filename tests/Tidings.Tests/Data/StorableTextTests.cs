using Microsoft.EntityFrameworkCore;
using Tidings.Clients;
using Tidings.Data;
using Tidings.Data.SoftDelete;
using Tidings.Events;
using Tidings.Tags;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Data;

/// <summary>
/// Whatever path text comes by, a save stores it exactly as sent on both providers or refuses it whole:
/// the last line of defence behind the API's per-field check.
/// </summary>
public abstract class StorableTextTests(TestDatabase database)
{
    private static readonly string[] Storable =
        ["plain", "tab\there", "lines\nand\r\nreturns\r", "émigré 中文 😀", "\u2028separators\u2029", "\uFFFD replacement"];

    private static readonly string[] Unstorable =
        ["nul\0", "\u0001start", "bell\u0007", "escape\u001b[0m", "delete\u007f", "next line\u0085", "lone \ud800", "lone \udc00 low",
         "pair then lone 😀\ud83d", "reversed \ude00\ud83d"];

    [Fact]
    public async Task Text_is_stored_exactly_as_sent_or_refused_whole()
    {
        var business = await database.NewBusinessAsync();
        foreach (var text in Storable)
        {
            await using var db = business.Context();
            db.Tags.Add(new Tag { Name = text });
            await db.SaveChangesAsync();
        }
        foreach (var text in Unstorable)
        {
            await using var db = business.Context();
            db.Tags.Add(new Tag { Name = text });
            var refused = await Assert.ThrowsAsync<UnstorableTextException>(() => db.SaveChangesAsync());
            Assert.Contains("tags.name", refused.Message);
        }

        await using var check = business.Context();
        Assert.Equal(Storable.Order(StringComparer.Ordinal), (await check.Tags.Select(t => t.Name).ToListAsync()).Order(StringComparer.Ordinal));
        Assert.Equal(Storable.Length, await check.AuditLogs.CountAsync(a => a.TableName == "tags"));
    }

    [Fact]
    public async Task Inserts_updates_lists_and_bulk_inserts_with_unstorable_text_write_nothing()
    {
        var business = await database.NewBusinessAsync();
        Guid clientId, eventId;
        await using (var db = business.Context())
        {
            var client = new Client { Name = "Northwind" };
            var ev = new Event { ClientId = client.Id, Title = "News", Category = "funding", EventDate = DateTime.UtcNow };
            db.AddRange(client, ev);
            await db.SaveChangesAsync();
            (clientId, eventId) = (client.Id, ev.Id);
        }
        var before = await SnapshotAsync(business);

        await using (var db = business.Context())
        {
            db.Clients.Add(new Client { Name = "Keywords", SearchKeywords = ["fine", "nul\0"] });
            await Assert.ThrowsAsync<UnstorableTextException>(() => db.SaveChangesAsync());
        }
        await using (var db = business.Context())
        {
            (await db.Events.SingleAsync(e => e.Id == eventId)).Description = "\u0001";
            (await db.Clients.SingleAsync(c => c.Id == clientId)).Notes = "fine";
            await Assert.ThrowsAsync<UnstorableTextException>(() => db.SaveChangesAsync());
        }
        await using (var db = business.Context())
        {
            db.Events.AddRange(
                new Event { ClientId = clientId, Title = "Fine", Category = "funding", EventDate = DateTime.UtcNow },
                new Event { ClientId = clientId, Title = "lone \ud800", Category = "funding", EventDate = DateTime.UtcNow });
            await Assert.ThrowsAsync<UnstorableTextException>(() => db.SaveInsertsInBulkAsync());
        }

        Assert.Equal(before, await SnapshotAsync(business));
    }

    private static async Task<string> SnapshotAsync(TestBusiness business)
    {
        await using var db = business.Context();
        var clients = await db.Clients.IgnoreQueryFilters([SoftDeleteRules.Filter]).OrderBy(c => c.Id)
            .Select(c => c.Name + "|" + c.Notes + "|" + c.UpdatedAt).ToListAsync();
        var events = await db.Events.IgnoreQueryFilters([SoftDeleteRules.Filter]).OrderBy(e => e.Id)
            .Select(e => e.Title + "|" + e.Description + "|" + e.UpdatedAt).ToListAsync();
        return string.Join(";", clients) + " / " + string.Join(";", events) + " / " + await db.AuditLogs.CountAsync();
    }
}

public sealed class StorableTextTests_Sqlite(SqliteDatabase db) : StorableTextTests(db), IClassFixture<SqliteDatabase>;
public sealed class StorableTextTests_Postgres(PostgresDatabase db) : StorableTextTests(db), IClassFixture<PostgresDatabase>;

/// <summary>Text from outside made storable, and cut without splitting a character.</summary>
public sealed class StorableTextCleaningTests
{
    [Theory]
    [InlineData("ab😀c", 4, "ab…")]
    [InlineData("a😀", 2, "a…")]
    [InlineData("abc😀", 5, "abc😀")]
    [InlineData("abcdef", 4, "abc…")]
    [InlineData("abc", 3, "abc")]
    public void A_cut_never_splits_a_surrogate_pair(string text, int max, string expected)
    {
        var cut = StorableText.Cut(text, max);
        Assert.Equal(expected, cut);
        Assert.True(cut.Length <= max);
        Assert.True(StorableText.IsStorable(cut));
    }

    [Fact]
    public void Cleaning_drops_controls_and_lone_surrogates_and_keeps_the_rest()
    {
        Assert.Equal("Acme\traises 😀 money", StorableText.Cleaned(" Acme\traises\u0000 😀 money\uD800\u0085 "));
        Assert.Null(StorableText.Cleaned("\u0001 \u0002"));
        Assert.Null(StorableText.Cleaned(null));
    }
}
