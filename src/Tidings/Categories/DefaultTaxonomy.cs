using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.SoftDelete;
using Tidings.Data.Tenancy;

namespace Tidings.Categories;

/// <summary>
/// The categories a new business starts with. Keys are those the old app and the classifier's training data use;
/// the business renames, describes, adds, merges and retires from there.
/// </summary>
public static class DefaultTaxonomy
{
    public sealed record Entry(string Key, string Name, string Description, string Signal, double Weight, string? Parent = null);

    public static readonly IReadOnlyList<Entry> Entries =
    [
        new("funding", "Funding", "Raises money: a funding round, venture or private equity investment, debt financing.", CategorySignals.Growth, 0.8),
        new("acquisition", "Acquisition", "Buys or is bought: mergers, acquisitions, takeover bids, stakes.", CategorySignals.Neutral, 0.9),
        new("acquirer", "Acquirer", "The client buys another company.", CategorySignals.Growth, 0.8, "acquisition"),
        new("target", "Target", "The client is being bought.", CategorySignals.Risk, 0.95, "acquisition"),
        new("leadership_change", "Leadership change", "A new or departing chief executive, founder, board member or senior leader.", CategorySignals.Neutral, 0.8),
        new("layoffs", "Layoffs", "Job cuts, restructuring, plant or office closures.", CategorySignals.Risk, 0.85),
        new("product_launch", "Product launch", "A new product, service, feature or version.", CategorySignals.Growth, 0.5),
        new("partnership", "Partnership", "A partnership, alliance, integration or joint venture.", CategorySignals.Growth, 0.5),
        new("contract_win", "Contract win", "Wins a customer contract, tender or deal.", CategorySignals.Growth, 0.6),
        new("expansion", "Expansion", "New offices, markets, countries, plants or hiring drives.", CategorySignals.Growth, 0.55),
        new("legal", "Legal", "Lawsuits, investigations, settlements, class actions.", CategorySignals.Risk, 0.7),
        new("earnings", "Earnings", "Quarterly or annual results, revenue, profit, guidance.", CategorySignals.Neutral, 0.6),
        new("ipo", "IPO", "Goes public: an initial public offering, a listing, a SPAC merger.", CategorySignals.Growth, 0.8),
        new("bankruptcy", "Bankruptcy", "Insolvency, administration, chapter 11, default.", CategorySignals.Risk, 1.0),
        new("dividend", "Dividend", "Declares, raises, cuts or suspends a dividend.", CategorySignals.Neutral, 0.3),
        new("buyback", "Buyback", "Buys back its own shares.", CategorySignals.Neutral, 0.3),
        new("regulatory", "Regulatory", "Regulators' approvals, fines, rulings and new rules that concern the client.", CategorySignals.Neutral, 0.6),
        new("security_incident", "Security incident", "A breach, hack, outage or data leak.", CategorySignals.Risk, 0.9),
        new("award", "Award", "An award, ranking or recognition.", CategorySignals.Growth, 0.2),
        new("other", "Other", "Anything else: market moves, commentary, general news.", CategorySignals.Neutral, 0.1),
    ];

    /// <summary>New rows of the default taxonomy, parents before their subcategories, for the business being created.</summary>
    public static List<Category> NewCategories()
    {
        var byKey = new Dictionary<string, Category>(StringComparer.Ordinal);
        foreach (var e in Entries)
            byKey[e.Key] = new Category
            {
                Key = e.Key, Name = e.Name, Description = e.Description, Signal = e.Signal, Weight = e.Weight,
                ParentId = e.Parent is null ? null : byKey[e.Parent].Id,
            };
        return [.. byKey.Values];
    }

    /// <summary>The migration that made the table: applying it gives every business that existed before the default.</summary>
    public const string Migration = "_Categories";

    /// <summary>
    /// Gives every business without a category (one made before categories existed) the default taxonomy, each under
    /// its own tenant and audited as db migrate's doing. Returns how many businesses got one.
    /// </summary>
    public static async Task<int> GiveBusinessesWithoutOneAsync(DatabaseSettings settings, CancellationToken ct)
    {
        var actor = new CurrentActor();
        actor.SetSystem("db migrate");
        List<Guid> businesses;
        await using (var platform = DatabaseSetup.CreateContext(settings, settings.MigrationConnectionString, new CurrentTenant(), actor))
        using (await platform.BeginPlatformScopeAsync("db migrate: default categories", ct))
            businesses = await platform.AcrossBusinesses<Businesses.Business>().Select(b => b.Id).ToListAsync(ct);
        var given = 0;
        foreach (var business in businesses)
        {
            var tenant = new CurrentTenant();
            tenant.Set(business);
            await using var db = DatabaseSetup.CreateContext(settings, settings.MigrationConnectionString, tenant, actor);
            // Retired ones count: a business that retired every category chose to.
            if (await db.Categories.IgnoreQueryFilters([SoftDeleteRules.Filter]).AnyAsync(ct))
                continue;
            db.Categories.AddRange(NewCategories());
            await db.SaveChangesAsync(ct);
            given++;
        }
        return given;
    }
}
