using System.Text.Json;
using Tidings.Categories;
using Tidings.Classification;

namespace Tidings.Tests.Classification;

/// <summary>
/// The shipped classifier in-process, on the default taxonomy and on businesses' knowledge built by hand: what it
/// answers, not how fast (bench/ measures that).
/// </summary>
public sealed class HeadlineClassifierTests
{
    private static readonly HeadlineClassifier Classifier = new();
    private static readonly DateTime Now = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);

    private static Verdict One(string title, string? client = null, BusinessKnowledge? knowledge = null, DateTime? date = null, string? description = null) =>
        Classifier.Classify([new Headline(title, description, client, date)], knowledge ?? BusinessKnowledge.Default, Now)[0];

    [Theory]
    [InlineData("Northwind Labs raises $40 million Series B led by Sequoia", "Northwind Labs", "funding")]
    [InlineData("Contoso to cut 1,200 jobs as it restructures its retail arm", "Contoso", "layoffs")]
    [InlineData("Fabrikam names former Stripe executive as chief executive officer", "Fabrikam", "leadership_change")]
    [InlineData("Globex files for Chapter 11 bankruptcy protection", "Globex", "bankruptcy")]
    [InlineData("Initech announces $500 million share repurchase program", "Initech", "buyback")]
    [InlineData("Hooli discloses data breach affecting 2 million customer accounts", "Hooli", "security_incident")]
    [InlineData("Umbrella Corp reports third-quarter revenue up 12%, beats estimates", "Umbrella Corp", "earnings")]
    [InlineData("Vandelay Industries declares quarterly dividend of $0.25 per share", "Vandelay Industries", "dividend")]
    public void Clear_headlines_get_their_category_with_a_probability_and_readable_evidence(string title, string client, string expected)
    {
        var verdict = One(title, client);
        Assert.Equal(expected, verdict.Category);
        Assert.InRange(verdict.Confidence, 0.5, 1);
        Assert.InRange(verdict.Relevance, 0, 1);
        Assert.InRange(verdict.Sentiment, -1, 1);
        Assert.False(string.IsNullOrWhiteSpace(verdict.Evidence));
        Assert.True(verdict.Evidence.Length <= ClassifiedBy.MaxEvidenceLength);
    }

    [Fact]
    public void A_listing_is_an_ipo_even_where_the_model_hesitates()
    {
        Assert.Equal("ipo", One("Klarna files confidentially for U.S. IPO", "Klarna").Category);
        Assert.Equal("ipo", One("Acme Robotics prices initial public offering at $18 a share", "Acme Robotics").Category);
    }

    [Fact]
    public void An_acquisition_says_which_side_the_client_is_on()
    {
        var buyer = One("Contoso to acquire Fabrikam for $2.1 billion in cash", "Contoso");
        var bought = One("Contoso to acquire Fabrikam for $2.1 billion in cash", "Fabrikam");
        Assert.Equal(("acquisition", "acquirer"), (buyer.Category, buyer.Subcategory));
        Assert.Equal(("acquisition", "target"), (bought.Category, bought.Subcategory));
        Assert.True(bought.Sentiment < buyer.Sentiment, "being bought is the risk signal, buying the growth one");
    }

    [Fact]
    public void Relevance_falls_when_the_client_is_only_mentioned_and_when_the_news_is_old()
    {
        const string title = "Contoso raises $25 million to expand its logistics platform";
        var subject = One(title, "Contoso", date: Now);
        var mentioned = One("Investors pile into logistics startups; Contoso among them after $25 million raise", "Contoso", date: Now);
        var old = One(title, "Contoso", date: Now.AddDays(-60));
        Assert.True(subject.Relevance > mentioned.Relevance, $"{subject.Relevance} vs {mentioned.Relevance}");
        Assert.True(subject.Relevance > old.Relevance, $"{subject.Relevance} vs {old.Relevance}");
    }

    [Fact]
    public void A_caller_that_knows_whether_the_client_is_the_subject_decides_the_relevance()
    {
        // The name stands past the first words, where the classifier alone takes it for a mention.
        const string title = "Investors pour $25 million into Danish logistics startup Contoso";
        Headline Told(bool? subject) => new(title, null, "Contoso", Now, subject);
        var verdicts = Classifier.Classify([Told(null), Told(true), Told(false)], BusinessKnowledge.Default, Now);

        Assert.True(verdicts[1].Relevance > verdicts[0].Relevance, $"{verdicts[1].Relevance} vs {verdicts[0].Relevance}");
        Assert.Equal(verdicts[0].Relevance, verdicts[2].Relevance);
        Assert.Equal(verdicts[0].Category, verdicts[1].Category);
        // Only a keyword matched: a mention, below a name in the title.
        var keywordOnly = Classifier.Classify([new Headline("Logistics startups draw $25 million", null, "Contoso", Now, false)], BusinessKnowledge.Default, Now)[0];
        Assert.True(keywordOnly.Relevance < verdicts[2].Relevance, $"{keywordOnly.Relevance} vs {verdicts[2].Relevance}");
    }

    [Fact]
    public void Sentiment_follows_the_news()
    {
        Assert.True(One("Globex files for bankruptcy after missing debt payments", "Globex").Sentiment < 0);
        Assert.True(One("Initech wins $300 million defense contract", "Initech").Sentiment > 0);
    }

    [Fact]
    public void Only_live_categories_of_the_business_are_answered()
    {
        var withoutLayoffs = new BusinessKnowledge(
            BusinessKnowledge.Default.Categories.Where(c => c.Key != "layoffs").ToList(), []);
        var verdict = One("Contoso to cut 1,200 jobs as it restructures its retail arm", "Contoso", withoutLayoffs);
        Assert.NotEqual("layoffs", verdict.Category);
        Assert.True(withoutLayoffs.IsLive(verdict.Category));
    }

    private sealed record Probe(string Role, string? Category, string Title, string Client);

    private static List<Probe> FewShot() =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "classify", "fewshot.jsonl"))
            .Select(l => JsonSerializer.Deserialize<Probe>(l, new JsonSerializerOptions(JsonSerializerDefaults.Web))!).ToList();

    /// <summary>The target: five corrections into a new category, then eight of ten similar new headlines land there.</summary>
    [Theory]
    [InlineData("product_recall")]
    [InlineData("store_opening")]
    public void Five_examples_of_an_invented_category_take_clearly_similar_headlines_and_leave_the_rest(string invented)
    {
        var probes = FewShot();
        var examples = probes.Where(p => p.Role == "example" && p.Category == invented)
            .Select(p => new LearnedExample(Guid.NewGuid(), invented, null, p.Title, null, p.Client)).ToList();
        Assert.Equal(5, examples.Count);
        var knowledge = new BusinessKnowledge(
            [.. BusinessKnowledge.Default.Categories, new TaxonomyEntry(invented, null, CategorySignals.Neutral, 0.5, invented, null)], examples);

        var similar = probes.Where(p => p.Role == "similar" && p.Category == invented).ToList();
        var landed = Classifier.Classify(similar.Select(p => new Headline(p.Title, null, p.Client)).ToList(), knowledge, Now)
            .Count(v => v.Category == invented);
        Assert.True(landed >= 8, $"{landed} of {similar.Count} similar headlines landed in {invented}");

        var unrelated = probes.Where(p => p.Role == "unrelated").ToList();
        var pulled = Classifier.Classify(unrelated.Select(p => new Headline(p.Title, null, p.Client)).ToList(), knowledge, Now)
            .Count(v => v.Category == invented);
        Assert.True(pulled <= 2, $"{pulled} of {unrelated.Count} unrelated headlines were pulled into {invented}");

        // The same headlines without the business's examples: the default knowledge knows no such category.
        Assert.DoesNotContain(Classifier.Classify(similar.Select(p => new Headline(p.Title, null, p.Client)).ToList(), BusinessKnowledge.Default, Now),
            v => v.Category == invented);
    }

    [Fact]
    public void Masking_replaces_the_client_and_its_short_name_only()
    {
        Assert.Equal("the company to buy Fabrikam; the company shares rise",
            HeadlineClassifier.Mask("Contoso Ltd to buy Fabrikam; Contoso's shares rise", "Contoso Ltd"));
        Assert.Equal("Contosoft wins deal", HeadlineClassifier.Mask("Contosoft wins deal", "Contoso"));
    }
}
