using Tidings.Monitoring.Matching;

namespace Tidings.Tests.Monitoring.Matching;

/// <summary>Which feed items are about a client, and whether it is their subject.</summary>
public sealed class ClientMentionsTests
{
    [Theory]
    [InlineData("Acme, Inc.", "Acme")]
    [InlineData("Acme Inc", "Acme")]
    [InlineData("Acme Ltd.", "Acme")]
    [InlineData("Acme Limited", "Acme")]
    [InlineData("Acme L.L.C.", "Acme")]
    [InlineData("Kaizen Grid Co., Ltd.", "Kaizen Grid")]
    [InlineData("Vogt-Lindner GmbH & Co. KG", "Vogt-Lindner")]
    [InlineData("Siemens AG", "Siemens")]
    [InlineData("Société Générale S.A.", "Société Générale")]
    [InlineData("Westpac Pty Ltd", "Westpac")]
    [InlineData("Ferrari S.p.A.", "Ferrari")]
    [InlineData("Nokia Oyj", "Nokia")]
    [InlineData("Alibaba Group Holding Limited", "Alibaba")]
    [InlineData("Shell plc", "Shell")]
    [InlineData("The Restaurant Group plc", "The Restaurant Group")]
    [InlineData("Company", "Company")]
    [InlineData("Acme Rocketry", "Acme Rocketry")]
    public void The_legal_form_is_not_part_of_the_name_the_press_uses(string registered, string name) =>
        Assert.Equal(name, ClientMentions.WithoutLegalSuffix(registered));

    [Theory]
    [InlineData("Acme raises $50M Series B")]
    [InlineData("ACME RAISES $50M")]
    [InlineData("acme raises $50m")]
    [InlineData("Acme's rocket engine passes test")]
    [InlineData("Acme’s rocket engine passes test")]
    [InlineData("Acme-backed startup lists in London")]
    [InlineData("Investors back Acme, again")]
    public void The_name_without_its_legal_form_matches_as_a_whole_word_in_any_case(string title) =>
        Assert.NotNull(new ClientMentions("Acme, Inc.", null).Find(title, null));

    [Theory]
    [InlineData("AcmeCorp raises $50M")]
    [InlineData("Pacme raises $50M")]
    [InlineData("Acmeology is a new field")]
    public void A_name_inside_another_word_does_not_match(string title) =>
        Assert.Null(new ClientMentions("Acme, Inc.", null).Find(title, null));

    [Theory]
    [InlineData("societe generale to cut 900 jobs")]
    [InlineData("SOCIETE GENERALE TO CUT 900 JOBS")]
    [InlineData("Société Générale to cut 900 jobs")]
    [InlineData("Societe\u0301 Ge\u0301ne\u0301rale to cut 900 jobs")]
    public void Accents_and_case_are_ignored(string title) =>
        Assert.NotNull(new ClientMentions("Société Générale SA", null).Find(title, null));

    [Fact]
    public void Letters_that_are_not_a_letter_and_an_accent_are_spelled_out() =>
        Assert.NotNull(new ClientMentions("Ørsted A/S", null).Find("Orsted wins offshore wind auction", null));

    [Theory]
    [InlineData("HP Inc.", "HP to cut 6,000 jobs", true)]
    [InlineData("HP Inc.", "Hp to cut 6,000 jobs", false)]
    [InlineData("HP Inc.", "Engine makes 300 hp more than rivals", false)]
    [InlineData("3M Company", "3M settles water pollution claims", true)]
    [InlineData("3M Company", "Startup raises $3M in seed funding", false)]
    [InlineData("3M Company", "Startup raises 1.3M in seed funding", false)]
    [InlineData("3M Company", "3m settles claims", false)]
    [InlineData("Arm Holdings plc", "Arm unveils new chip designs", true)]
    [InlineData("Arm Holdings plc", "ARM UNVEILS NEW CHIP DESIGNS", true)]
    [InlineData("Arm Holdings plc", "Robot arm maker raises $20M", false)]
    [InlineData("X Corp.", "Series X round closes", false)]
    [InlineData("X Corp.", "X Corp. sues advertisers", true)]
    public void A_short_name_matches_only_as_written_or_in_capitals(string client, string title, bool matches) =>
        Assert.Equal(matches, new ClientMentions(client, null).Find(title, null) is not null);

    [Fact]
    public void Keywords_match_as_whole_words_and_say_the_client_is_only_mentioned()
    {
        var mentions = new ClientMentions("Acme Rocketry", ["rocket engines", "Beta Propulsion"]);

        var inTitle = mentions.Find("New rocket engines pass NASA tests", null);
        var inDescription = mentions.Find("Space startups raise record sums", "Among them beta propulsion, which builds turbopumps.");

        Assert.Equal(new Mention(false, "keyword \"rocket engines\" in the title"), inTitle);
        Assert.Equal(new Mention(false, "keyword \"Beta Propulsion\" in the description"), inDescription);
        Assert.Null(mentions.Find("Rocket enginesmith opens a workshop", null));
    }

    [Theory]
    [InlineData("Acme raises $50M Series B", true)]
    [InlineData("Exclusive: Acme nears deal to buy Beta", true)]
    [InlineData("$ACME - Acme beats estimates", true)]
    [InlineData("Rocket maker Acme raises $50M", true)]
    [InlineData("Investors pour $140m into Danish rocket maker Acme", false)]
    [InlineData("Beta, Gamma and Delta partner with Acme", false)]
    public void The_client_is_the_subject_when_its_name_opens_the_title(string title, bool subject)
    {
        var mention = new ClientMentions("Acme, Inc.", null).Find(title, null);

        Assert.NotNull(mention);
        Assert.Equal(subject, mention.IsSubject);
        Assert.Equal("name \"Acme\" in the title", mention.Reason);
    }

    [Fact]
    public void The_name_in_the_description_only_is_a_mention_and_an_item_about_someone_else_is_not_kept()
    {
        var mentions = new ClientMentions("Acme, Inc.", ["rockets"]);

        Assert.Equal(new Mention(false, "name \"Acme\" in the description"), mentions.Find("Space race heats up", "Acme and Beta both launched this week."));
        Assert.Equal(new Mention(true, "name \"Acme\" in the title"), mentions.Find("Acme launches", "Rockets again."));
        Assert.Null(mentions.Find("Beta raises $20M", "The round was led by Gamma."));
        Assert.Null(mentions.Find("Beta raises $20M", null));
    }

    [Fact]
    public void The_full_registered_name_matches_too()
    {
        var mentions = new ClientMentions("Acme Holdings", null);

        Assert.Equal("name \"Acme\" in the title", mentions.Find("Acme Holdings reports results", null)?.Reason);
        Assert.NotNull(mentions.Find("ACME HOLDINGS REPORTS RESULTS", null));
    }
}
