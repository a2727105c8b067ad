using System.Globalization;
using System.Text.RegularExpressions;

namespace Tidings.Monitoring.Matching;

/// <summary>
/// Whether two titles about one client tell the same story, as two outlets would title it (docs/monitoring.md, "The
/// same story twice"). Each title becomes a set of what-happened words: accents and case folded, the outlet's tag
/// (" - Reuters", " | TechCrunch") and a label ("Exclusive:", "$ACME -") cut, the client's name and words that say nothing
/// about the event dropped, amounts written one way ("$50M", "$50 million" and "50m" alike), verbs that outlets swap
/// ("buys", "acquires", "snaps up") brought to one word, and the rest lightly stemmed. Two titles are the same story when
/// no fact contradicts (both give amounts or numbers and share none; both name a funding series and not the same one)
/// and their words overlap enough: <see cref="Similarity"/> at least <see cref="Threshold"/>.
/// </summary>
public static partial class NearDuplicates
{
    /// <summary>The overlap from which two titles are one story (docs/monitoring.md, "The same story twice": the precision/recall table).</summary>
    public const double Threshold = 0.7;

    /// <summary>How far apart two events' dates may be and still be one story.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromDays(3);

    /// <summary>A title reduced to what is compared: the words that tell what happened, the numbers and the funding series it gives.</summary>
    /// <param name="Names">The words that name something (a place, a partner, a product), from their capital letter mid-headline: they weigh more.</param>
    /// <param name="Facts">What a title states that another about the same event could not state otherwise: amounts and numbers, ordinals, a funding series, a medal.</param>
    public sealed record Story(IReadOnlySet<string> Words, IReadOnlySet<string> Names, IReadOnlySet<string> Facts);

    public static bool IsSameStory(string titleA, string titleB, string clientName) =>
        IsSameStory(Of(titleA, clientName), Of(titleB, clientName));

    public static bool IsSameStory(Story a, Story b) => Similarity(a, b) >= Threshold;

    /// <summary>0 when a fact contradicts or nothing is left to compare; else the words' overlap (<see cref="Overlap"/>).</summary>
    public static double Similarity(Story a, Story b)
    {
        if (Contradict(a.Facts, b.Facts) || Opposed(a.Words, b.Words) || Opposed(b.Words, a.Words)
            || a.Words.Overlaps(Tentative) != b.Words.Overlaps(Tentative))
            return 0;
        return Overlap(a, b);
    }

    /// <summary>
    /// The mean of Jaccard (shared over all) and the overlap coefficient (shared over the shorter title), a name counting
    /// <see cref="NameWeight"/> times: one outlet's title often adds a detail the other leaves out, which Jaccard alone
    /// punishes; the shorter alone would let a two-word title match anything that contains its words. A name one title
    /// gives and the other replaces (Italy for the UK, Oracle for Epic) is most often another story.
    /// </summary>
    public static double Overlap(Story a, Story b)
    {
        double Weight(string word) => a.Names.Contains(word) || b.Names.Contains(word) ? NameWeight : 1;
        var (shared, onlyA, onlyB, sharedWords) = (0.0, 0.0, 0.0, 0);
        foreach (var word in a.Words)
            if (Meets(word, b.Words))
                (shared, sharedWords) = (shared + Weight(word), sharedWords + 1);
            else
                onlyA += Weight(word);
        foreach (var word in b.Words)
            if (!Meets(word, a.Words))
                onlyB += Weight(word);
        // A fact both give ("$50M", "Series B") is as telling as a word; one that only one gives is a detail left out.
        var sharedFacts = a.Facts.Count(b.Facts.Contains);
        (shared, onlyA, onlyB) = (shared + sharedFacts, onlyA + a.Facts.Count - sharedFacts, onlyB + b.Facts.Count - sharedFacts);
        // One word in common ("Acme sued", "Acme sued again by ...") is too little to call two headlines one story; an
        // amount both give counts as one.
        if (sharedWords + sharedFacts < MinShared)
            return 0;
        var jaccard = shared / (shared + onlyA + onlyB);
        var overlap = shared / (shared + Math.Min(onlyA, onlyB));
        return (jaccard + overlap) / 2;
    }

    public const double NameWeight = 3;
    public const int MinShared = 2;

    /// <summary>The word, or one it begins or ends ("Malaysia" in "Malaysian", "incl." in "including"), from four letters on.</summary>
    private static bool Meets(string word, IReadOnlySet<string> words) =>
        words.Contains(word) || (word.Length >= 4 && words.Any(other => other.Length >= 4 && (other.StartsWith(word, StringComparison.Ordinal) || word.StartsWith(other, StringComparison.Ordinal))));

    /// <summary>Each gives a number the other does not: "$50M" and "$80M", "Q2" and "Q3", "60 stores" and "20 stores".</summary>
    private static bool Contradict(IReadOnlySet<string> a, IReadOnlySet<string> b) => !a.IsSubsetOf(b) && !b.IsSubsetOf(a);

    /// <summary>One says what the other says the opposite of: "wins" and "loses", "approves" and "rejects", "launches" and "delays launch".</summary>
    private static bool Opposed(IReadOnlySet<string> a, IReadOnlySet<string> b) =>
        a.Any(word => b.Any(other => Opposites.Contains((word, other)) && !a.Contains(other)));

    public static Story Of(string title, string clientName)
    {
        // Case is kept until the words are read: a capital letter mid-headline says a word names something.
        var text = Label().Replace(FoldedText.Of(title), "");
        while (OutletTag().Match(text) is { Success: true } tag && tag.Index > 0)
            text = text[..tag.Index];
        foreach (var name in new[] { clientName, ClientMentions.WithoutLegalSuffix(clientName) }.Select(n => FoldedText.Of(n).Trim())
                     .Where(n => n.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).OrderByDescending(n => n.Length))
            text = Regex.Replace(text, $@"(?<![\p{{L}}\p{{N}}]){Regex.Escape(name)}(?![\p{{L}}\p{{N}}])", " ", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        text = Possessive().Replace(text, "");
        text = NumberWord().Replace(text, m => NumberWords[m.Value.ToLowerInvariant()]);
        var facts = new HashSet<string>();
        text = FundingSeries().Replace(text, m =>
        {
            facts.Add("series " + m.Groups["letter"].Value.ToLowerInvariant());
            return " series ";
        });
        text = Ordinal().Replace(text, m =>
        {
            facts.Add("#" + (Ordinals.TryGetValue(m.Value.ToLowerInvariant(), out var n) ? n : m.Groups["n"].Value));
            return " ";
        });
        text = Medal().Replace(text, m =>
        {
            facts.Add(m.Value.ToLowerInvariant());
            return " medal ";
        });
        text = Amount().Replace(text, m =>
        {
            facts.Add(AmountKey(m));
            return " ";
        });

        var tokens = Token().Matches(text).Select(m => m.Value).ToList();
        // A headline in Title Case or capitals says nothing by its capitals.
        var long_ = tokens.Where(t => t.Length >= 4).ToList();
        var capitalsTell = long_.Count(t => char.IsUpper(t[0])) * 10 < long_.Count * 6;
        var (words, names) = (new HashSet<string>(), new HashSet<string>());
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i].ToLowerInvariant();
            // "snaps up", "teams up", "lays off": the particle belongs to the verb.
            if (i + 1 < tokens.Count && Phrases.TryGetValue($"{token} {tokens[i + 1].ToLowerInvariant()}", out var phrase))
            {
                words.Add(phrase);
                i++;
                continue;
            }
            if (StopWords.Contains(token))
                continue;
            var word = Synonyms.TryGetValue(token, out var canonical) ? canonical : Stem(token);
            if (word.Length == 0 || StopWords.Contains(word))
                continue;
            words.Add(word);
            if (capitalsTell && i > 0 && char.IsUpper(tokens[i][0]) && canonical is null)
                names.Add(word);
        }
        return new Story(words, names, facts);
    }

    /// <summary>An amount as one key whatever its spelling: "$1.2bn", "1.2 billion", "$1,200 million" → "1200000000"; "9%" → "9%".</summary>
    private static string AmountKey(Match m)
    {
        var digits = m.Groups["number"].Value;
        // "1,200" groups thousands; "1,5" (a European decimal) is rare in English headlines and read as 15 here.
        var value = decimal.Parse(digits.Replace(",", ""), CultureInfo.InvariantCulture);
        var scale = m.Groups["scale"].Value.ToLowerInvariant();
        if (scale is "%" or "percent" or "per cent" || scale.StartsWith("pct", StringComparison.Ordinal))
            return value.ToString(CultureInfo.InvariantCulture) + "%";
        value *= scale switch
        {
            "k" or "thousand" => 1_000m,
            "m" or "mn" or "mln" or "million" or "millions" => 1_000_000m,
            "b" or "bn" or "bln" or "billion" or "billions" => 1_000_000_000m,
            "t" or "tn" or "trillion" => 1_000_000_000_000m,
            _ => 1m,
        };
        return value.ToString("0.####", CultureInfo.InvariantCulture);
    }

    /// <summary>Strips what English inflection adds, enough for two outlets' forms of a word to meet ("cuts"/"cut", "raised"/"raises").</summary>
    private static string Stem(string word)
    {
        if (word.Length <= 3 || word.Any(char.IsDigit))
            return word;
        if (word.EndsWith("ing", StringComparison.Ordinal) && word.Length >= 6)
            word = word[..^3];
        else if (word.EndsWith("ied", StringComparison.Ordinal) || word.EndsWith("ies", StringComparison.Ordinal))
            word = word[..^3] + "y";
        else if (word.EndsWith("ed", StringComparison.Ordinal) && word.Length >= 5)
            word = word[..^2];
        else if (word.EndsWith("es", StringComparison.Ordinal) && SibilantEnd().IsMatch(word[..^2]))
            word = word[..^2];
        else if (word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal))
            word = word[..^1];
        // "closes", "closed" and "close" all end as "clos": forms meet, the words need not be English.
        if (word.EndsWith('e'))
            word = word[..^1];
        // British and American spellings meet: "colour", "digitise", "authorisation".
        if (word.EndsWith("our", StringComparison.Ordinal) && word.Length >= 6)
            word = word[..^3] + "or";
        word = word.Replace("isation", "ization", StringComparison.Ordinal);
        return word.EndsWith("is", StringComparison.Ordinal) && word.Length >= 6 ? word[..^2] + "iz" : word;
    }

    /// <summary>Words that say nothing about which event it is: grammar, reporting ("says", "sources"), and the outlet's descriptors.</summary>
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "of", "to", "in", "on", "for", "at", "by", "with", "from", "into", "as", "and", "or", "its", "it",
        "is", "are", "was", "be", "been", "has", "have", "had", "will", "would", "this", "that", "after", "amid", "over",
        "s", "new", "says", "said", "say", "sources", "source", "report", "reports", "reportedly", "exclusive", "update",
        "breaking", "announces", "announced", "announce", "plans", "plan", "set", "sets", "agrees", "agree",
        "company", "firm", "startup", "start", "up", "group", "maker", "inc", "ltd", "corp", "co", "llc", "plc",
        "more", "than", "its", "their", "our", "all", "about", "just", "now", "yet",
    };

    /// <summary>Verbs and nouns outlets use for the same event, each brought to one word.</summary>
    private static readonly Dictionary<string, string> Synonyms = Expand(new()
    {
        ["acquire"] = "acquire acquires acquired acquiring acquisition acquisitions buy buys bought buying purchase purchases purchased takeover",
        // Getting money, a licence or an approval is one verb: "lands $50M" is "raises $50M"; what was got tells stories apart.
        ["raise"] = "raise raises raised raising funding financing round banks banked bags bagged nabs nabbed scores scored snags snagged pulls " +
            "gets got receives received obtains obtained secures secured lands landed",
        ["win"] = "win wins won winning awarded award awards clinches clinched takes took earns earned named honored honoured",
        ["cut"] = "cut cuts cutting slash slashes slashed axe axes axed shed sheds shedding trims trimmed layoffs layoff redundancies reduces reduced eliminates",
        ["job"] = "job jobs staff staffers workers employees roles positions workforce headcount",
        ["launch"] = "launch launches launched unveil unveils unveiled introduce introduces introduced debut debuts debuted rollout releases released release",
        ["partner"] = "partner partners partnered partnership collaborates collaboration collaborate alliance cooperation tie tieup",
        ["sue"] = "sue sues sued lawsuit suit",
        ["fine"] = "fine fines fined penalty penalised penalized",
        ["buyback"] = "buyback buybacks repurchase repurchases repurchasing",
        ["share"] = "share shares stock stocks",
        ["license"] = "licence license licensed licenced authorisation authorization",
        ["us"] = "us u.s usa america american",
        ["uk"] = "uk u.k britain british",
        ["eu"] = "eu european commission",
        ["chief"] = "ceo chief executive",
        ["close"] = "close closes closed closing shut shuts shutting",
        ["expand"] = "expand expands expanded expansion enlarge enlarges",
        ["hack"] = "hack hacked hackers breach attack attackers cyberattack",
        ["approve"] = "approve approves approved approval clears cleared nod",
        ["plant"] = "plant factory facility site",
        ["deal"] = "deal agreement pact",
        ["output"] = "output production",
        ["worldwide"] = "worldwide globally global",
        ["bankrupt"] = "bankruptcy bankrupt insolvency insolvent administration collapses collapsed",
        ["lead"] = "lead leads led",
        ["sell"] = "sell sells sold selling sale divests divested",
        ["rise"] = "rise rises rose jump jumps jumped soar soars soared surge surges surged gain gains climbs climbed",
        ["fall"] = "fall falls fell drop drops dropped slide slides slid slump slumps plunge plunges plunged sink sinks tumble tumbles",
        ["lose"] = "lose loses lost losing",
        ["reject"] = "reject rejects rejected",
        ["hire"] = "hire hires hired hiring recruit recruits",
    });

    /// <summary>Words of one event that say the opposite of each other, either way round.</summary>
    private static readonly HashSet<(string, string)> Opposites = Both(new()
    {
        ["win"] = "lose", ["lose"] = "raise", ["approve"] = "reject", ["launch"] = "delay", ["confirm"] = "deny", ["sign"] = "end",
        ["explor"] = "abandon", ["raise"] = "cut", ["acquire"] = "sell", ["open"] = "close", ["rise"] = "fall", ["beat"] = "miss",
        ["hire"] = "cut", ["complet"] = "abandon",
    });

    private static readonly Dictionary<string, string> Ordinals = new(StringComparer.Ordinal)
    {
        ["first"] = "1", ["second"] = "2", ["third"] = "3", ["fourth"] = "4", ["fifth"] = "5",
    };

    private static HashSet<(string, string)> Both(Dictionary<string, string> pairs) =>
        pairs.SelectMany(p => new[] { (p.Key, p.Value), (p.Value, p.Key) }).ToHashSet();

    /// <summary>What says a thing may happen, not that it did: "in talks to raise" is not "raises".</summary>
    private static readonly HashSet<string> Tentative = new(StringComparer.Ordinal) { "talk", "near", "mull", "consider", "weigh", "eye", "explor", "rumor", "rumour", "could", "might" };

    /// <summary>Small numbers spelled out ("five new states"); "one" is left alone, it is a pronoun as often.</summary>
    private static readonly Dictionary<string, string> NumberWords = new(StringComparer.Ordinal)
    {
        ["two"] = "2", ["three"] = "3", ["four"] = "4", ["five"] = "5", ["six"] = "6", ["seven"] = "7", ["eight"] = "8",
        ["nine"] = "9", ["ten"] = "10", ["eleven"] = "11", ["twelve"] = "12",
    };

    /// <summary>Two words that are one verb.</summary>
    private static readonly Dictionary<string, string> Phrases = new(StringComparer.Ordinal)
    {
        ["snaps up"] = "acquire", ["snap up"] = "acquire", ["takes over"] = "acquire", ["take over"] = "acquire",
        ["lays off"] = "cut", ["lay off"] = "cut", ["laid off"] = "cut", ["let go"] = "cut", ["lets go"] = "cut", ["parts ways"] = "cut",
        ["teams up"] = "partner", ["team up"] = "partner", ["ties up"] = "partner", ["tie up"] = "partner", ["links up"] = "partner",
        ["joins forces"] = "partner", ["join forces"] = "partner",
        ["rolls out"] = "launch", ["roll out"] = "launch", ["rolled out"] = "launch",
        ["picks up"] = "raise", ["buy back"] = "buyback", ["buys back"] = "buyback",
        ["goes bust"] = "bankrupt", ["go bust"] = "bankrupt",
        ["goes live"] = "launch", ["go live"] = "launch",
        ["steps down"] = "resign", ["step down"] = "resign",
    };

    private static Dictionary<string, string> Expand(Dictionary<string, string> groups)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (canonical, words) in groups)
            foreach (var word in words.Split(' '))
                map.TryAdd(word, canonical);
        return map;
    }

    [GeneratedRegex(@"(?<=\p{L})'s\b", RegexOptions.IgnoreCase)]
    private static partial Regex Possessive();

    [GeneratedRegex(@"^\s*((exclusive|breaking|update( \d+)?|analysis|insight|factbox|correction|corrected|\$[a-z.]+)\s*[:\-]\s*)+", RegexOptions.IgnoreCase)]
    private static partial Regex Label();

    /// <summary>An outlet's name after the headline: " - Reuters", " | TechCrunch", at most five words.</summary>
    [GeneratedRegex(@"\s+[-|]\s+(?:(?!\s[-|]\s).){1,40}$")]
    private static partial Regex OutletTag();

    [GeneratedRegex(@"(?<![\p{L}\p{N}])(?:us\$|a\$|c\$|[$€£¥]|usd|eur|gbp|sek|nok|dkk|chf|inr|rs\.?)?\s?(?<number>\d+(?:,\d{3})*(?:\.\d+)?)\s?(?<scale>%|per cent|percent|pct|thousand|k|mn|mln|million|millions|m|bn|bln|billion|billions|b|tn|trillion|t)?(?![\p{L}\p{N}])", RegexOptions.IgnoreCase)]
    private static partial Regex Amount();

    [GeneratedRegex(@"\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b", RegexOptions.IgnoreCase)]
    private static partial Regex NumberWord();

    [GeneratedRegex(@"(s|x|z|ch|sh)$")]
    private static partial Regex SibilantEnd();

    [GeneratedRegex(@"\b(first|second|third|fourth|fifth|(?<n>\d+)(st|nd|rd|th))\b", RegexOptions.IgnoreCase)]
    private static partial Regex Ordinal();

    [GeneratedRegex(@"\b(gold|silver|bronze)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Medal();

    [GeneratedRegex(@"\bseries\s+(?<letter>[a-h])\b", RegexOptions.IgnoreCase)]
    private static partial Regex FundingSeries();

    [GeneratedRegex(@"[\p{L}\p{N}]+(?:['.][\p{L}\p{N}]+)*")]
    private static partial Regex Token();
}
