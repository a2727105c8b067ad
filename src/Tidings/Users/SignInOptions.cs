using Tidings.Data;

namespace Tidings.Users;

/// <summary>
/// The limits on signing in, signing up and minting tokens (configuration section SignIn). Failures are
/// counted per address and email (tight) and per email from everywhere (loose): a stranger locks out only
/// their own address, unless they fail from enough addresses to reach the email's hourly limit. One
/// address reaches at most 13 windows of FailuresPerAddressAndEmailPerFiveMinutes in an hour, so keep
/// FailuresPerEmailPerHour well above that.
/// </summary>
public sealed class SignInOptions
{
    public const string Section = "SignIn";

    /// <summary>Every attempt from one address, successful or not: bounds the password hashing one address can ask for.</summary>
    public int AttemptsPerAddressPerMinute { get; init; } = 60;

    public int FailuresPerAddressAndEmailPerFiveMinutes { get; init; } = 10;

    public int FailuresPerEmailPerHour { get; init; } = 300;

    public int SignupsPerAddressPerHour { get; init; } = 20;

    public int TokensPerAddressPerHour { get; init; } = 30;

    /// <summary>Binds and checks the section; a bad value is bad configuration (exit 2), reported in one line.</summary>
    public static SignInOptions From(IConfiguration configuration)
    {
        SignInOptions options;
        try
        {
            options = configuration.GetSection(Section).Get<SignInOptions>(o => o.ErrorOnUnknownConfiguration = true) ?? new();
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidConfigurationException(e.Message);
        }
        foreach (var (name, value) in new[]
        {
            (nameof(AttemptsPerAddressPerMinute), options.AttemptsPerAddressPerMinute),
            (nameof(FailuresPerAddressAndEmailPerFiveMinutes), options.FailuresPerAddressAndEmailPerFiveMinutes),
            (nameof(FailuresPerEmailPerHour), options.FailuresPerEmailPerHour),
            (nameof(SignupsPerAddressPerHour), options.SignupsPerAddressPerHour),
            (nameof(TokensPerAddressPerHour), options.TokensPerAddressPerHour),
        })
        {
            if (value < 1)
                throw new InvalidConfigurationException($"{Section}:{name} must be at least 1 (it is {value}).");
        }
        return options;
    }
}
