using Tidings.Tests.Cli;

namespace Tidings.Tests.Web;

/// <summary>
/// A bad proxy list or sign-in limit stops `tidings serve` before it listens: bad configuration (exit 2),
/// one line that names the setting, and nothing created. No database is reached, so one provider suffices.
/// </summary>
public sealed class ServeConfigurationTests : IDisposable
{
    private readonly string _workDir = Directory.CreateTempSubdirectory("tidings-serve-").FullName;

    public void Dispose() => Directory.Delete(_workDir, recursive: true);

    [Theory]
    [InlineData("ForwardedHeaders__KnownProxies__0", "not-an-address", "ForwardedHeaders:KnownProxies")]
    [InlineData("ForwardedHeaders__KnownProxies", "10.0.0.1, 10.0.0.300", "ForwardedHeaders:KnownProxies")]
    [InlineData("ForwardedHeaders__KnownNetworks__0", "10.0.0.0/33", "ForwardedHeaders:KnownNetworks")]
    [InlineData("SignIn__FailuresPerEmailPerHour", "0", "SignIn:FailuresPerEmailPerHour")]
    [InlineData("SignIn__AttemptsPerAddressPerMinute", "many", "SignIn:AttemptsPerAddressPerMinute")]
    [InlineData("SignIn__AttemptsPerEmailPerFiveMinutes", "10", "AttemptsPerEmailPerFiveMinutes")]
    public async Task A_bad_proxy_or_limit_setting_is_bad_configuration_reported_in_one_line(string variable, string value, string mention)
    {
        var result = await TidingsProcess.RunAsync(_workDir, new() { [variable] = value }, "serve", "--urls", "http://127.0.0.1:0");

        result.AssertFailedInOneLine(TidingsCli.BadConfiguration, mention);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_workDir));
    }
}
