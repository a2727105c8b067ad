using System.Globalization;
using static Tidings.Legacy.LegacyParsing;

namespace Tidings.Tests.Legacy;

/// <summary>How each "meant to be" column of the old file is read, value by value, as SQLite hands it out.</summary>
public sealed class LegacyParsingTests
{
    [Theory]
    [InlineData("2024-03-05 14:02:11.123456", "2024-03-05T14:02:11.123456Z")] // SQLAlchemy's own shape
    [InlineData("2024-03-05 14:02:11", "2024-03-05T14:02:11Z")]
    [InlineData("2024-03-05 14:02", "2024-03-05T14:02:00Z")]
    [InlineData("2024-03-05T14:02:11", "2024-03-05T14:02:11Z")]
    [InlineData("2024-03-05T14:02:11Z", "2024-03-05T14:02:11Z")]
    [InlineData("2024-03-05T14:02:11.5Z", "2024-03-05T14:02:11.5Z")]
    [InlineData("2024-03-05T14:02:11+02:00", "2024-03-05T12:02:11Z")]
    [InlineData("2024-03-05 14:02:11-05:00", "2024-03-05T19:02:11Z")]
    [InlineData("2024-03-05", "2024-03-05T00:00:00Z")]
    [InlineData("2024/03/05", "2024-03-05T00:00:00Z")]
    [InlineData("Tue, 05 Mar 2024 14:02:11 GMT", "2024-03-05T14:02:11Z")]
    [InlineData(1709647331L, "2024-03-05T14:02:11Z")]
    [InlineData("1709647331", "2024-03-05T14:02:11Z")]
    [InlineData(1709647331.5, "2024-03-05T14:02:11.5Z")]
    [InlineData(1709647331123L, "2024-03-05T14:02:11.123Z")]
    [InlineData("1709647331123", "2024-03-05T14:02:11.123Z")]
    [InlineData("25/03/2024", "2024-03-25T00:00:00Z")]
    [InlineData("03/25/2024", "2024-03-25T00:00:00Z")]
    [InlineData("25/03/2024 09:30", "2024-03-25T09:30:00Z")]
    [InlineData("  2024-03-05 14:02:11  ", "2024-03-05T14:02:11Z")]
    public void Every_timestamp_shape_of_the_old_file_reads_as_the_same_utc_instant(object value, string expected)
    {
        var parsed = Timestamp(value);

        Assert.NotNull(parsed);
        Assert.Equal(Utc(expected), parsed.Value);
        Assert.Equal(DateTimeKind.Utc, parsed.Value.Kind);
    }

    [Theory]
    [InlineData(2460375.0844)]
    [InlineData("2460375.0844")]
    public void A_sqlite_julian_day_reads_as_its_utc_instant(object value)
    {
        var parsed = Timestamp(value);

        Assert.NotNull(parsed);
        // 2460375.0844 is 2024-03-05 14:01:32.160 UTC; a double carries it to within a millisecond.
        Assert.Equal(Utc("2024-03-05T14:01:32.160Z"), parsed.Value, TimeSpan.FromMilliseconds(1));
        Assert.Equal(DateTimeKind.Utc, parsed.Value.Kind);
    }

    [Theory]
    [InlineData("05/03/2024")] // March in Europe, May in the US: a guess would silently move the date
    [InlineData("07/08/2024 10:00")]
    [InlineData("31/02/2024")]
    [InlineData("2024-02-30")]
    [InlineData("2024-13-05")]
    [InlineData("yesterday")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(0L)]
    [InlineData(-5L)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_value_that_is_not_clearly_one_instant_reads_as_no_timestamp(object value) =>
        Assert.Null(Timestamp(value));

    [Fact]
    public void A_blob_or_null_reads_as_no_timestamp()
    {
        Assert.Null(Timestamp(new byte[] { 0x32, 0x30, 0x32, 0x34 }));
        Assert.Null(Timestamp(null));
    }

    [Theory]
    [InlineData(1L, true)]
    [InlineData(0L, false)]
    [InlineData(1.0, true)]
    [InlineData(0.0, false)]
    public void A_flag_stored_as_0_or_1_is_read_as_meant(object value, bool expected)
    {
        var flag = Boolean(value);

        Assert.Equal(new Flag(expected, Odd: false, Unreadable: false, At: null), flag);
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("true", true)]
    [InlineData("t", true)]
    [InlineData("  TRUE ", true)]
    [InlineData("on", true)]
    [InlineData("no", false)]
    [InlineData("false", false)]
    [InlineData("f", false)]
    [InlineData("", false)]
    [InlineData(2L, true)]
    [InlineData(-1L, true)]
    [InlineData(0.5, true)]
    public void A_flag_written_as_a_word_or_another_number_is_read_but_marked_odd(object value, bool expected)
    {
        var flag = Boolean(value);

        Assert.Equal(new Flag(expected, Odd: true, Unreadable: false, At: null), flag);
    }

    [Fact]
    public void A_flag_holding_a_timestamp_is_true_and_keeps_the_time_it_was_set()
    {
        var flag = Boolean("2024-03-05 10:00:00");

        Assert.True(flag.Value);
        Assert.True(flag.Odd);
        Assert.False(flag.Unreadable);
        Assert.Equal(Utc("2024-03-05T10:00:00Z"), flag.At);
        Assert.Equal(DateTimeKind.Utc, flag.At!.Value.Kind);
    }

    [Theory]
    [InlineData("maybe")]
    [InlineData("05/03/2024")]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void A_flag_that_is_neither_true_nor_false_is_unreadable_and_read_as_false(object value)
    {
        var flag = Boolean(value);

        // The import reports such a flag as "read as false"; the value it carries must agree.
        Assert.Equal(new Flag(false, Odd: true, Unreadable: true, At: null), flag);
    }

    [Fact]
    public void A_blob_flag_is_unreadable_and_a_null_flag_is_odd_false()
    {
        Assert.Equal(new Flag(false, Odd: true, Unreadable: true, At: null), Boolean(new byte[] { 1 }));
        Assert.Equal(new Flag(false, Odd: true, Unreadable: false, At: null), Boolean(null));
    }

    [Theory]
    [InlineData(3L, 3.0)]
    [InlineData(0.25, 0.25)]
    [InlineData(-0.75, -0.75)]
    [InlineData("87.5", 87.5)]
    [InlineData(" 42 ", 42.0)]
    [InlineData("1e2", 100.0)]
    public void A_number_column_reads_integers_reals_and_numeric_text(object value, double expected) =>
        Assert.Equal(expected, Number(value));

    [Theory]
    [InlineData("n/a")]
    [InlineData("")]
    [InlineData("1,5")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NaN)]
    [InlineData(null)]
    public void A_number_column_holding_no_finite_number_reads_as_null(object? value) =>
        Assert.Null(Number(value));

    [Fact]
    public void A_blob_in_a_number_column_reads_as_null() =>
        Assert.Null(Number(new byte[] { 0x34, 0x32 }));

    [Fact]
    public void Keywords_stored_as_a_json_array_of_strings_are_read_as_meant()
    {
        var (keywords, asMeant) = Keywords("[\"acme\", \"rockets\", \"Mars launch\"]");

        Assert.Equal(["acme", "rockets", "Mars launch"], keywords);
        Assert.True(asMeant);
    }

    [Fact]
    public void An_empty_json_array_is_no_keywords_as_meant()
    {
        var (keywords, asMeant) = Keywords("[]");

        Assert.NotNull(keywords);
        Assert.Empty(keywords);
        Assert.True(asMeant);
    }

    [Fact]
    public void A_json_array_holding_other_values_keeps_them_as_their_json_text_and_is_not_as_meant()
    {
        var (keywords, asMeant) = Keywords("[\"acme\", 42, true, 1.5]");

        Assert.Equal(["acme", "42", "true", "1.5"], keywords);
        Assert.False(asMeant);
    }

    [Fact]
    public void A_json_string_is_split_on_commas_and_is_not_as_meant()
    {
        var (keywords, asMeant) = Keywords("\"acme, rockets\"");

        Assert.Equal(["acme", "rockets"], keywords);
        Assert.False(asMeant);
    }

    [Fact]
    public void Plain_text_is_split_on_commas_semicolons_and_new_lines_and_is_not_as_meant()
    {
        var (keywords, asMeant) = Keywords("acme; rockets\nMars launch, ,space");

        Assert.Equal(["acme", "rockets", "Mars launch", "space"], keywords);
        Assert.False(asMeant);
    }

    [Fact]
    public void A_json_object_becomes_one_keyword_holding_its_text_and_is_not_as_meant()
    {
        var (keywords, asMeant) = Keywords("{\"k\": 1}");

        Assert.Equal(["{\"k\": 1}"], keywords);
        Assert.False(asMeant);
    }

    [Fact]
    public void Null_keywords_are_no_keywords_as_meant()
    {
        var (keywords, asMeant) = Keywords(null);

        Assert.Null(keywords);
        Assert.True(asMeant);
    }

    [Fact]
    public void Empty_text_is_an_empty_keyword_list_but_not_as_meant()
    {
        var (keywords, asMeant) = Keywords("");

        Assert.NotNull(keywords);
        Assert.Empty(keywords);
        Assert.False(asMeant);
    }

    [Theory]
    [InlineData("funding")]
    [InlineData("acquisition")]
    [InlineData("leadership_change")]
    [InlineData("product_launch")]
    [InlineData("partnership")]
    [InlineData("layoffs")]
    [InlineData("expansion")]
    [InlineData("legal")]
    [InlineData("earnings")]
    [InlineData("other")]
    public void A_category_on_the_old_list_is_read_as_meant(string category) =>
        Assert.Equal((category, CategoryShape.AsMeant), Category(category));

    [Theory]
    [InlineData("Funding Round", "funding")]
    [InlineData("M&A", "acquisition")]
    [InlineData("Layoff", "layoffs")]
    [InlineData("  LEGAL ", "legal")]
    [InlineData("Product-Launch", "product_launch")]
    [InlineData("leadership change", "leadership_change")]
    [InlineData("Partnerships", "partnership")]
    public void A_category_spelled_differently_but_clearly_meant_is_normalised(string written, string expected) =>
        Assert.Equal((expected, CategoryShape.Normalised), Category(written));

    [Fact]
    public void An_unknown_category_is_kept_as_written()
    {
        Assert.Equal(("misc stuff", CategoryShape.Unknown), Category("misc stuff"));
        Assert.Equal(("  Misc Stuff ", CategoryShape.Unknown), Category("  Misc Stuff "));
    }

    [Fact]
    public void A_missing_category_becomes_other_and_is_marked_unknown() =>
        Assert.Equal(("other", CategoryShape.Unknown), Category(null));

    [Fact]
    public void A_person_key_ignores_case_spacing_and_accents()
    {
        Assert.Equal(PersonKey("jose alvarez"), PersonKey("  José  Álvarez "));
        Assert.Equal("jose alvarez", PersonKey("JOSÉ\tÁLVAREZ"));
        Assert.Equal("ada@old.example", PersonKey(" Ada@Old.Example "));
        Assert.NotEqual(PersonKey("Jose Alvarez"), PersonKey("Josef Alvarez"));
    }

    [Theory]
    [InlineData("TBD")]
    [InlineData("n/a")]
    [InlineData("N/A")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("  Unassigned ")]
    [InlineData("None")]
    [InlineData("-")]
    [InlineData(null)]
    public void A_placeholder_word_or_nothing_means_nobody_owns_the_client(string? accountOwner) =>
        Assert.True(IsPlaceholder(accountOwner));

    [Theory]
    [InlineData("Li Wei")]
    [InlineData("ada@old.example")]
    [InlineData("Nobody Jones")]
    public void A_name_or_email_is_not_a_placeholder(string accountOwner) =>
        Assert.False(IsPlaceholder(accountOwner));

    [Theory]
    [InlineData("hunter2-Secret", "plaintext, 14 characters")]
    [InlineData("5f4dcc3b5aa765d61d8327deb882cf99", "md5-like hex, 32 characters")]
    [InlineData("5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8", "sha1-like hex, 40 characters")]
    [InlineData("123456", "digits, 6 characters")]
    [InlineData(123456L, "digits, 6 characters")]
    [InlineData("", "empty")]
    [InlineData("   ", "blank, 3 characters")]
    [InlineData("$6$rounds=5000$saltsalt$hashhashhash", "sha512-crypt hash, 36 characters")]
    [InlineData("$2y$12$tooShortToBeBcrypt", "bcrypt-like, not usable, 25 characters")]
    [InlineData("$whatever$secret", "crypt-style hash of an unknown scheme, 16 characters")]
    [InlineData(null, "absent")]
    public void A_password_value_is_described_by_its_shape_with_nothing_of_the_value(object? value, string shape)
    {
        Assert.Equal(shape, PasswordShape(value));
        if (Text(value) is { Length: > 3 } text)
            Assert.DoesNotContain(text[1..^1], shape);
    }

    [Fact]
    public void A_binary_password_value_is_described_by_its_size() =>
        Assert.Equal("binary, 5 bytes", PasswordShape(new byte[] { 1, 2, 3, 4, 5 }));

    private static DateTime Utc(string iso) =>
        DateTime.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
