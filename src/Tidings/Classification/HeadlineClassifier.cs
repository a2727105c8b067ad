using System.Text.RegularExpressions;

namespace Tidings.Classification;

/// <summary>What the classifier reads of an event.</summary>
/// <param name="ClientIsSubject">
/// Whether the client is what the headline is about or only mentioned in it, when the caller knows (the monitor's
/// ClientMentions, which also reads keywords and accents); null lets the classifier judge by where the name stands.
/// </param>
public sealed record Headline(string Title, string? Description = null, string? ClientName = null, DateTime? EventDate = null,
    bool? ClientIsSubject = null);

/// <summary>What the classifier says of it.</summary>
/// <param name="Confidence">A calibrated probability that <paramref name="Category"/> is right.</param>
/// <param name="Relevance">How much an account team should care, 0..1: the category's weight, the client as subject or mention, recency.</param>
/// <param name="Sentiment">-1 (bad news for the client) .. 1 (good news).</param>
/// <param name="Evidence">The phrase or the nearest labelled example that decided it, at most <see cref="ClassifiedBy.MaxEvidenceLength"/> characters.</param>
public sealed record Verdict(string Category, string? Subcategory, double Confidence, double Relevance, double Sentiment, string Evidence);

/// <summary>
/// The headline classifier, local and offline (docs/classification.md): the shipped model (<see cref="ClassifierModel"/>)
/// gives each of its categories a calibrated probability, restricted to the business's live categories; a keyword rule
/// catches listings the data has too few of; then the business's own labelled examples (<see cref="ExampleMemory"/>)
/// override it where a headline is close enough to them, which is how a business's corrections and invented
/// categories take effect. Relevance, sentiment, the acquisition's side and the evidence come from the verdict and the text.
/// </summary>
public sealed partial class HeadlineClassifier
{
    private readonly Lazy<ClassifierModel> _model;

    public HeadlineClassifier() : this(() => ClassifierModel.Shipped) { }

    public HeadlineClassifier(Func<ClassifierModel> model) => _model = new Lazy<ClassifierModel>(model, LazyThreadSafetyMode.ExecutionAndPublication);

    public ClassifierModel Model => _model.Value;

    /// <summary>Stored in events.classified_by: which model labelled an event.</summary>
    public string Version => Model.Version;

    /// <summary>Loads the model and the embedder now rather than on the first event (the service does it after start-up).</summary>
    public void WarmUp() => Classify([new Headline("Tidings starts")], BusinessKnowledge.Default, DateTime.UtcNow);

    /// <summary>The text the classifier reads: the title, then the start of the description.</summary>
    public static string TextOf(string title, string? description)
    {
        if (string.IsNullOrWhiteSpace(description))
            return title.Trim();
        var more = description.Trim();
        return title.Trim() + ". " + (more.Length > 300 ? more[..300] : more);
    }

    public IReadOnlyList<Verdict> Classify(IReadOnlyList<Headline> headlines, BusinessKnowledge knowledge, DateTime now)
    {
        if (headlines.Count == 0)
            return [];
        var model = Model;
        // The model learned from headlines with their companies' names in them, so it reads them so; the business's
        // examples are compared by what happened, with the client's name masked (a second embedding, only where it differs).
        var texts = headlines.Select(h => TextOf(h.Title, h.Description)).ToList();
        var embeddings = MiniLmEmbedder.Shared.Embed(texts);
        var memory = ExampleMemory.Of(knowledge, model);
        var masked = texts;
        var maskedEmbeddings = embeddings;
        if (memory is not null)
        {
            masked = headlines.Select((h, i) => Mask(texts[i], h.ClientName)).ToList();
            var changed = Enumerable.Range(0, texts.Count).Where(i => masked[i] != texts[i]).ToList();
            maskedEmbeddings = (float[][])embeddings.Clone();
            var again = MiniLmEmbedder.Shared.Embed(changed.Select(i => masked[i]).ToList());
            for (var k = 0; k < changed.Count; k++)
                maskedEmbeddings[changed[k]] = again[k];
        }
        var live = model.Classes.Select(knowledge.IsLive).ToArray();
        var result = new Verdict[headlines.Count];
        var logits = new double[model.Classes.Length];
        for (var i = 0; i < headlines.Count; i++)
        {
            var headline = headlines[i];
            var features = model.Text.Transform(texts[i]);
            model.Logits(features, embeddings[i], logits);
            for (var c = 0; c < logits.Length; c++)
                logits[c] = live[c] ? logits[c] / model.Temperature : double.NegativeInfinity;
            string category;
            double confidence;
            string evidence;
            if (live.Any(l => l))
            {
                ClassifierTraining.Softmax(logits);
                var best = Array.IndexOf(logits, logits.Max());
                (category, confidence) = (model.Classes[best], logits[best]);
                evidence = Phrases(model, features, best);
                var ipo = Array.IndexOf(model.Classes, "ipo");
                if (category != "ipo" && ipo >= 0 && live[ipo])
                {
                    var listing = Listing().Match(headline.Title);
                    // "Listing" alone also means a job or a property listing: it decides only where the model already leans to ipo.
                    if (!listing.Success && logits[ipo] >= WeakListingFloor)
                        listing = ListingWord().Match(headline.Title);
                    if (listing.Success)
                        (category, confidence, evidence) = ("ipo", Math.Max(logits[ipo], ListingRuleConfidence), $"\"{listing.Value}\"");
                }
            }
            else
                (category, confidence, evidence) = (knowledge.Fallback, 0, "no category of the model is live in this business");

            string? subcategory = null;
            if (memory?.Nearest(masked[i], maskedEmbeddings[i], category) is { } learned)
            {
                // Examples that agree with the model only make it surer.
                confidence = learned.Category == category ? Math.Max(confidence, learned.Confidence) : learned.Confidence;
                (category, subcategory, evidence) = (learned.Category, learned.Subcategory, learned.Evidence);
            }
            if (subcategory is null && category == "acquisition")
                subcategory = SideOfAcquisition(headline.Title, headline.ClientName, knowledge);

            var entry = subcategory is not null ? knowledge.Find(subcategory) ?? knowledge.Find(category) : knowledge.Find(category);
            result[i] = new Verdict(category, subcategory, Math.Round(confidence, 4),
                Math.Round(Relevance(entry?.Weight ?? 0.5, headline, now), 4),
                Math.Round(Sentiment(entry?.Signal, texts[i]), 4),
                Shortened(evidence));
        }
        return result;
    }

    /// <summary>How sure the listing rule is when the model disagrees: what it scored on the held-out listings.</summary>
    private const double ListingRuleConfidence = 0.75;

    /// <summary>The model's own probability of ipo from which the bare word "listing" tips a headline to it.</summary>
    private const double WeakListingFloor = 0.01;

    /// <summary>The readable words that pushed the text towards the class most: up to three word grams.</summary>
    private static string Phrases(ClassifierModel model, SparseVector features, int @class)
    {
        var row = @class * model.Dimensions;
        var top = Enumerable.Range(0, features.Indices.Length)
            .Where(k => model.Text.IsWordGram(features.Indices[k]))
            .Select(k => (Gram: model.Text.Words(features.Indices[k]), Weight: model.Weights[row + features.Indices[k]] * features.Values[k]))
            .Where(g => g.Weight > 0.05 && g.Gram != "$TICKER" && g.Gram != "the company")
            .OrderByDescending(g => g.Weight).Take(3).Select(g => $"\"{g.Gram}\"").ToList();
        return top.Count > 0 ? string.Join(", ", top) : "the headline as a whole";
    }

    /// <summary>
    /// The client's name replaced by "the company": a headline is then compared with examples by what happened, not by
    /// who it happened to (masking is what let five examples teach a category, docs/classification.md).
    /// </summary>
    public static string Mask(string text, string? clientName)
    {
        foreach (var name in NamesOf(clientName))
            text = Regex.Replace(text, $@"(?<![\w]){Regex.Escape(name)}(?![\w])('s)?", "the company", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        return text;
    }

    /// <summary>The client's name, then without its legal form ("Acme Corp" → "Acme"), longest first.</summary>
    private static IEnumerable<string> NamesOf(string? clientName)
    {
        if (string.IsNullOrWhiteSpace(clientName))
            yield break;
        var name = clientName.Trim();
        yield return name;
        var shortName = LegalForm().Replace(name, "").Trim().TrimEnd(',').Trim();
        if (shortName.Length >= 3 && shortName != name)
            yield return shortName;
    }

    /// <summary>Where the client's name (or its short form) first stands in <paramref name="text"/>, or -1.</summary>
    private static int FirstMention(string? text, string? clientName) =>
        text is null ? -1 : NamesOf(clientName).Select(n => text.IndexOf(n, StringComparison.OrdinalIgnoreCase)).Where(p => p >= 0).DefaultIfEmpty(-1).Min();

    /// <summary>Evidence within what events store, ending in an ellipsis when cut, never between the halves of a surrogate pair.</summary>
    private static string Shortened(string evidence)
    {
        if (evidence.Length <= ClassifiedBy.MaxEvidenceLength)
            return evidence;
        var cut = ClassifiedBy.MaxEvidenceLength - 1;
        if (char.IsHighSurrogate(evidence[cut - 1]))
            cut--;
        return evidence[..cut] + "…";
    }

    /// <summary>Acquirer when the client comes before the verb of buying, target when after it or "acquired by".</summary>
    private static string? SideOfAcquisition(string title, string? clientName, BusinessKnowledge knowledge)
    {
        var at = FirstMention(title, clientName);
        if (at < 0)
            return null;
        string? side = null;
        if (AcquiredBy().Match(title) is { Success: true } passive)
            side = at < passive.Index ? "target" : "acquirer";
        else if (Acquires().Match(title) is { Success: true } active)
            side = at < active.Index ? "acquirer" : "target";
        return side is not null && knowledge.Find(side)?.Parent == "acquisition" ? side : null;
    }

    /// <summary>The category's weight, scaled down when the client is only mentioned and when the news is old.</summary>
    private static double Relevance(double weight, Headline headline, DateTime now)
    {
        var subject = 0.8; // no client name to look for
        if (headline.ClientIsSubject == true)
            subject = 1.0;
        else if (headline.ClientIsSubject == false)
            subject = FirstMention(headline.Title, headline.ClientName) >= 0 ? 0.8 : 0.6;
        else if (!string.IsNullOrWhiteSpace(headline.ClientName))
        {
            var inTitle = FirstMention(headline.Title, headline.ClientName);
            subject = inTitle >= 0 && inTitle <= 12 ? 1.0
                : inTitle >= 0 ? 0.8
                : FirstMention(headline.Description, headline.ClientName) >= 0 ? 0.6
                : 0.5;
        }
        var recency = 1.0;
        if (headline.EventDate is { } date)
        {
            var ageDays = Math.Max(0, (now - date).TotalDays);
            recency = 0.5 + 0.5 * Math.Pow(0.5, ageDays / RecencyHalfLifeDays);
        }
        return Math.Clamp(weight * subject * recency, 0, 1);
    }

    /// <summary>After this many days a story weighs three quarters of a fresh one, and never less than half.</summary>
    private const double RecencyHalfLifeDays = 14;

    /// <summary>The category's signal sets the tone; words of good and bad news move it.</summary>
    private static double Sentiment(string? signal, string text)
    {
        var prior = signal switch { "growth" => 0.35, "risk" => -0.45, _ => 0.0 };
        var good = Good().Count(text);
        var bad = Bad().Count(text);
        return Math.Clamp(prior + 0.2 * (good - bad), -1, 1);
    }

    [GeneratedRegex(@"\b(IPO|I\.P\.O\.|initial public offering|go(es|ing)? public|files? (confidentially )?for (an? )?(IPO|listing|public offering)|direct listing|S-1|F-1|SPAC merger|(stock market|market|trading) debut)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Listing();

    [GeneratedRegex(@"\blistings?\b", RegexOptions.IgnoreCase)]
    private static partial Regex ListingWord();

    [GeneratedRegex(@"\b(to be (acquired|bought|taken over)|acquired by|bought by|sold to|sells (itself|to)|agrees to (be )?(sale|sell)|takeover (bid|offer) for|buyout of)\b", RegexOptions.IgnoreCase)]
    private static partial Regex AcquiredBy();

    [GeneratedRegex(@"\b(acquires?|acquiring|acquisition of|buys?|buying|to buy|purchases?|takes? over|snaps up|merges? with|bids? for)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Acquires();

    [GeneratedRegex(@"[,\s]+(inc\.?|incorporated|corp\.?|corporation|co\.?|company|ltd\.?|limited|llc|plc|ag|sa|s\.a\.|se|nv|n\.v\.|gmbh|group|holdings?)$", RegexOptions.IgnoreCase)]
    private static partial Regex LegalForm();

    [GeneratedRegex(@"\b(beats?|surges?|soars?|jumps?|record|rais(es|ed|ing) (guidance|outlook|forecast)|upgrades?d?|wins?|won|awards?|approv(al|ed|es)|profit(s|able)?|gains?|growth|strong(er)?|expands?|launch(es|ed)?|secures?|partners?)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Good();

    [GeneratedRegex(@"\b(miss(es|ed)?|plunges?|falls?|fell|drops?|cuts?|loss(es)?|lawsuits?|sues?|sued|probe|fined?|breach|hack(ed)?|downgrades?d?|lay(s|ing)? off|layoffs?|recalls?|bankrupt(cy)?|default(s|ed)?|warns?|warning|weak(er)?|declines?|slumps?|investigation|fraud|delays?|halts?|suspends?)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Bad();
}
