namespace Tidings.Bench.Monitor;

/// <summary>One item of a generated feed: its headline, a line of description, and the category a person would give it.</summary>
public sealed record FarmItem(string Title, string Description, string Category);

/// <summary>
/// Client names and business headlines for the feed farm, from templates filled with names, sums and places, so the
/// classifier sees the mix of stories a client's own feeds carry (funding, people, deals, results, trouble). The same
/// feed and item number give the same headline in every process, so the loader and the farm agree on what was published.
/// </summary>
public static class FarmHeadlines
{
    private static readonly string[] Prefixes =
    [
        "Zephyr", "Northwind", "Bluefin", "Cobalt", "Granite", "Harbor", "Juniper", "Kestrel", "Lumen", "Meridian", "Nimbus", "Orchid",
        "Pioneer", "Quartz", "Redwood", "Summit", "Tidewater", "Umber", "Vantage", "Willow", "Alder", "Beacon", "Cedar", "Delta", "Ember",
        "Falcon", "Glacier", "Helix", "Ironclad", "Jasper", "Keystone", "Lattice", "Mosaic", "Nova", "Onyx", "Pinnacle", "Quill", "Riverstone",
        "Sable", "Topaz", "Upland", "Vertex", "Wavecrest", "Xenon", "Yarrow", "Zenith", "Amber", "Birch", "Crescent", "Dune",
    ];

    private static readonly string[] Trades =
    [
        "Robotics", "Analytics", "Logistics", "Therapeutics", "Energy", "Payments", "Foods", "Software", "Biotech", "Materials", "Aerospace",
        "Health", "Networks", "Insurance", "Motors", "Labs", "Capital", "Semiconductors", "Pharma", "Retail", "Security", "Systems", "Media",
        "Cloud", "Genomics", "Mobility", "Solar", "Freight", "Devices", "Learning", "Brewing", "Textiles", "Water", "Minerals", "Studios",
        "Instruments", "Hospitality", "Marine", "Agritech", "Data", "Dynamics", "Optics", "Batteries", "Telecom", "Finance", "Apparel",
        "Chemicals", "Homes", "Games", "Shipping",
    ];

    private static readonly string[] People =
    [
        "Maria Lopez", "James Chen", "Aisha Patel", "Tom Becker", "Sofia Rossi", "David Okafor", "Hannah Weber", "Lucas Martin", "Priya Nair",
        "Ethan Brooks", "Yuki Tanaka", "Olga Ivanova", "Carlos Mendes", "Fatima Khan", "Noah Fischer", "Elena Novak", "Samuel Adeyemi", "Grace Kim",
    ];

    private static readonly string[] Roles = ["financial", "technology", "operating", "marketing", "revenue", "product", "people", "legal"];
    private static readonly string[] Cities = ["Berlin", "Austin", "Singapore", "Toronto", "Dublin", "Sao Paulo", "Nairobi", "Warsaw", "Osaka", "Denver", "Lyon", "Melbourne"];
    private static readonly string[] Series = ["A", "B", "C", "D", "E"];
    private static readonly string[] Investors = ["Sequoia", "Accel", "Index Ventures", "General Catalyst", "Balderton", "Lightspeed", "Tiger Global", "Insight Partners"];
    private static readonly string[] Products = ["platform", "app", "sensor", "chip", "service", "marketplace", "assistant", "device", "engine", "suite"];
    private static readonly string[] Customers = ["the NHS", "Walmart", "the US Army", "Deutsche Bahn", "Toyota", "the city of Chicago", "Unilever", "Maersk", "Siemens", "HSBC"];

    private delegate FarmItem Template(string client, Random r);

    private static readonly Template[] Templates =
    [
        (c, r) => new($"{c} raises ${r.Next(5, 300)} million in Series {Pick(Series, r)} led by {Pick(Investors, r)}",
            $"The round brings {c}'s total funding to ${r.Next(300, 900)} million.", "funding"),
        (c, r) => new($"{c} closes ${r.Next(2, 40)} million seed round to expand its {Pick(Products, r)}",
            $"Investors include {Pick(Investors, r)}.", "funding"),
        (c, r) => new($"{c} appoints {Pick(People, r)} as chief {Pick(Roles, r)} officer",
            $"{Pick(People, r)} joins from a rival and starts next month.", "leadership_change"),
        (c, r) => new($"{c} chief executive {Pick(People, r)} to step down after {r.Next(3, 15)} years",
            "The board has begun a search for a successor.", "leadership_change"),
        (c, r) => new($"{c} acquires {Pick(Prefixes, r)} {Pick(Trades, r)} for ${r.Next(20, 900)} million",
            "The deal is expected to close next quarter, subject to regulatory approval.", "acquisition"),
        (c, r) => new($"{c} agrees to be bought by {Pick(Prefixes, r)} {Pick(Trades, r)} in ${r.Next(1, 9)}.{r.Next(10)} billion deal",
            "Shareholders will receive a premium of about 30%.", "acquisition"),
        (c, r) => new($"{c} to cut {r.Next(50, 2000)} jobs as it restructures its {Pick(Cities, r)} operations",
            "The company said the cuts would save costs this year.", "layoffs"),
        (c, r) => new($"{c} launches new {Pick(Products, r)} for small businesses",
            "The product is available from today in twelve countries.", "product_launch"),
        (c, r) => new($"{c} unveils version {r.Next(2, 9)} of its {Pick(Products, r)} with AI features",
            "Early customers report faster onboarding.", "product_launch"),
        (c, r) => new($"{c} partners with {Pick(Prefixes, r)} {Pick(Trades, r)} to integrate payments",
            "The partnership covers Europe and North America.", "partnership"),
        (c, r) => new($"{c} wins ${r.Next(5, 500)} million contract from {Pick(Customers, r)}",
            $"The {r.Next(2, 8)}-year contract starts in the spring.", "contract_win"),
        (c, r) => new($"{c} opens new office in {Pick(Cities, r)}, plans to hire {r.Next(20, 400)} people",
            "The office will serve customers across the region.", "expansion"),
        (c, r) => new($"{c} reports quarterly revenue of ${r.Next(10, 900)} million, up {r.Next(2, 60)}%",
            "Profit beat analysts' expectations; guidance was raised.", "earnings"),
        (c, r) => new($"{c} sued by former customers over data practices",
            $"The class action was filed in a federal court in {Pick(Cities, r)}.", "legal"),
        (c, r) => new($"{c} files for IPO on Nasdaq, seeking a valuation of ${r.Next(1, 20)} billion",
            "The listing is expected in the coming weeks.", "ipo"),
        (c, r) => new($"{c} discloses data breach affecting {r.Next(10, 900)},000 customers",
            "The company said payment details were not exposed.", "security_incident"),
        (c, r) => new($"{c} named one of the best places to work in {Pick(Cities, r)}",
            "The ranking is based on an employee survey.", "award"),
        (c, r) => new($"{c} wins regulatory approval for its {Pick(Products, r)} in the EU",
            "The approval opens a market of 450 million people.", "regulatory"),
        (c, r) => new($"{c} raises its dividend by {r.Next(2, 25)}% and announces ${r.Next(50, 900)} million buyback",
            "The board cited strong cash flow.", "dividend"),
        (c, r) => new($"{c} hosts annual customer conference in {Pick(Cities, r)}",
            "More than a thousand people attended.", "other"),
    ];

    /// <summary>A company name, one per client number, unique for the first 2,500 (then numbered).</summary>
    public static string ClientName(int client)
    {
        var name = $"{Prefixes[client % Prefixes.Length]} {Trades[client / Prefixes.Length % Trades.Length]}";
        return client < Prefixes.Length * Trades.Length ? name : $"{name} {client / (Prefixes.Length * Trades.Length) + 1}";
    }

    /// <summary>Item <paramref name="item"/> of feed <paramref name="feed"/>, about <paramref name="client"/>.</summary>
    public static FarmItem Item(int feed, int item, string client)
    {
        var random = new Random(unchecked(feed * 7_919 + item * 104_729 + 17));
        return Templates[random.Next(Templates.Length)](client, random);
    }

    private static string Pick(string[] words, Random random) => words[random.Next(words.Length)];
}
