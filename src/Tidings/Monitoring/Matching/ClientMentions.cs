using System.Text.RegularExpressions;

namespace Tidings.Monitoring.Matching;

/// <summary>Why an item was kept: the client is its subject, or only mentioned, and what matched where.</summary>
/// <param name="Reason">What matched where, for a person: <c>name "Acme" in the title</c>.</param>
public sealed record Mention(bool IsSubject, string Reason);

/// <summary>
/// Whether a feed item is about a client: its name without the legal form, or one of its keywords, as whole words in
/// the title or the description, ignoring case and accents. Built once per client per round (the patterns are
/// compiled then); <see cref="Find"/> is cheap per item.
/// The client is the subject when its name stands among the title's first <see cref="SubjectWithinWords"/> words
/// (after a label such as "Exclusive:"): headlines put their subject first. A keyword alone, or the name further on or
/// only in the description, is a mention.
/// A short one-word name (up to <see cref="ShortName"/> characters: "HP", "3M", "Box", "Arm") matches only as written
/// or in capitals, since in lower case it is mostly an ordinary word ("arm", "box") or an amount ("$3m"). From four
/// letters on the press's lower-case headlines ("acme raises $5m") weigh more than the ordinary words a name can be.
/// </summary>
public sealed partial class ClientMentions
{
    public const int SubjectWithinWords = 3;
    public const int ShortName = 3;

    private readonly List<(string Name, Regex Pattern)> _names = [];
    private readonly List<(string Keyword, Regex Pattern)> _keywords = [];

    public ClientMentions(string clientName, IReadOnlyList<string>? keywords)
    {
        var full = clientName.Trim();
        var shortForm = WithoutLegalSuffix(full);
        // One letter alone ("X" of "X Corp") is in too many headlines that are not about it: only the full name then.
        if (shortForm.Count(char.IsLetterOrDigit) < 2)
            shortForm = full;
        foreach (var name in new[] { shortForm, full }.Distinct(StringComparer.OrdinalIgnoreCase))
            if (PatternFor(name) is { } pattern)
                _names.Add((name, pattern));
        foreach (var keyword in (keywords ?? []).Select(k => k.Trim()).Where(k => k.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase))
            if (PatternFor(keyword) is { } pattern)
                _keywords.Add((keyword, pattern));
    }

    /// <summary>The first of: the name in the title, a keyword in the title, the name in the description, a keyword in it; null when none.</summary>
    public Mention? Find(string title, string? description)
    {
        var foldedTitle = FoldedText.Of(title);
        foreach (var (name, pattern) in _names)
            if (pattern.Match(foldedTitle) is { Success: true } match)
                return new Mention(IsNearStart(foldedTitle, match.Index), $"name \"{name}\" in the title");
        foreach (var (keyword, pattern) in _keywords)
            if (pattern.IsMatch(foldedTitle))
                return new Mention(false, $"keyword \"{keyword}\" in the title");
        if (string.IsNullOrWhiteSpace(description))
            return null;
        var foldedDescription = FoldedText.Of(description);
        foreach (var (name, pattern) in _names)
            if (pattern.IsMatch(foldedDescription))
                return new Mention(false, $"name \"{name}\" in the description");
        foreach (var (keyword, pattern) in _keywords)
            if (pattern.IsMatch(foldedDescription))
                return new Mention(false, $"keyword \"{keyword}\" in the description");
        return null;
    }

    /// <summary>
    /// The name as the press writes it: without its legal form ("Acme, Inc." → "Acme", "Kaizen Grid Co., Ltd." →
    /// "Kaizen Grid"), forms stacked at the end dropped one after another. "Group" and "Holding(s)" go too ("Alibaba
    /// Group" is "Alibaba" in headlines), except after a leading "The": "The Restaurant Group" without it is a phrase,
    /// not a name. A name that is nothing but a legal form stays as it is.
    /// </summary>
    public static string WithoutLegalSuffix(string name)
    {
        var current = name.Trim();
        while (true)
        {
            var match = LegalForm().Match(current);
            if (!match.Success)
                return current;
            var rest = current[..match.Index].TrimEnd(' ', ',');
            if (rest.Length == 0)
                return current;
            var word = match.Groups["form"].Value;
            if (GroupWords().IsMatch(word) && rest.StartsWith("The ", StringComparison.OrdinalIgnoreCase))
                return current;
            current = rest;
        }
    }

    private static Regex? PatternFor(string phrase)
    {
        var folded = FoldedText.Of(phrase).Trim();
        if (!folded.Any(char.IsLetterOrDigit))
            return null;
        // Words of the phrase may be apart by any spaces or a hyphen; the phrase may not continue a word on either side.
        var body = string.Join(@"[\s\-]+", Whitespace().Split(folded).Select(Regex.Escape));
        // A name starting with a digit is not the tail of an amount: "3M", not "$3M" or "1.3M".
        var before = char.IsDigit(folded[0]) ? @"(?<![\p{L}\p{N}$€£¥.,])" : @"(?<![\p{L}\p{N}])";
        var pattern = $@"{before}{body}(?![\p{{L}}\p{{N}}])";
        if (folded.Length <= ShortName && !folded.Contains(' '))
            return new Regex($"{before}(?:{Regex.Escape(folded)}|{Regex.Escape(folded.ToUpperInvariant())})(?![\\p{{L}}\\p{{N}}])",
                RegexOptions.CultureInvariant | RegexOptions.Compiled);
        return new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);
    }

    private static bool IsNearStart(string title, int index)
    {
        var start = Label().Match(title) is { Success: true } label ? label.Length : 0;
        if (index < start)
            return true;
        return Word().Count(title[start..index]) < SubjectWithinWords;
    }

    [GeneratedRegex(@"[,\s]+(?<form>Inc\.?|Incorporated|Corp\.?|Corporation|Co\.?|Company|Ltd\.?|Limited|L\.?L\.?C\.?|L\.?L\.?P\.?|L\.?P\.?|P\.?L\.?C\.?|GmbH(\s*&\s*Co\.?\s*KG)?|KGaA|KG|AG|SE|S\.?A\.?|S\.?A\.?S\.?|SARL|S\.?L\.?|S\.?p\.?A\.?|S\.?r\.?l\.?|B\.?V\.?|N\.?V\.?|A/S|ApS|Oyj?|AB|ASA|K\.?K\.?|Pty\.?(\s+Ltd\.?)?|Pte\.?(\s+Ltd\.?)?|Sdn\.?\s+Bhd\.?|Bhd\.?|Tbk|PJSC|OJSC|JSC|Group|Holdings?)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LegalForm();

    [GeneratedRegex(@"^(Group|Holdings?)$", RegexOptions.IgnoreCase)]
    private static partial Regex GroupWords();

    /// <summary>A headline's label before its subject: "Exclusive:", "UPDATE 2-", "BREAKING -", "$ACME -".</summary>
    [GeneratedRegex(@"^\s*((exclusive|breaking|update( \d+)?|analysis|insight|factbox|correction|corrected|\$[A-Za-z.]+)\s*[:\-]\s*)+", RegexOptions.IgnoreCase)]
    private static partial Regex Label();

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
