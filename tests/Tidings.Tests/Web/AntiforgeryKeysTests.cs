using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tidings.Web;

namespace Tidings.Tests.Web;

/// <summary>Two Tidings processes sharing Web:KeysDirectory accept each other's form tokens; without it, each has its own keys.</summary>
public sealed class AntiforgeryKeysTests : IDisposable
{
    private readonly DirectoryInfo _keys = Directory.CreateTempSubdirectory("tidings-keys-");

    [Fact]
    public void What_one_process_protects_another_sharing_the_keys_directory_reads()
    {
        using var first = Process(_keys.FullName);
        using var second = Process(_keys.FullName);
        var token = Protector(first).Protect("a form's antiforgery token");

        Assert.Equal("a form's antiforgery token", Protector(second).Unprotect(token));
        Assert.NotEmpty(_keys.GetFiles("key-*.xml"));
    }

    [Fact]
    public void A_process_with_other_keys_refuses_the_token()
    {
        using var first = Process(_keys.FullName);
        using var elsewhere = Process(Directory.CreateTempSubdirectory("tidings-other-keys-").FullName);
        var token = Protector(first).Protect("a form's antiforgery token");

        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => Protector(elsewhere).Unprotect(token));
    }

    private static ServiceProvider Process(string keysDirectory)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [WebPages.KeysDirectorySetting] = keysDirectory }).Build();
        return new ServiceCollection().AddLogging().AddWebPages(configuration).BuildServiceProvider();
    }

    private static IDataProtector Protector(IServiceProvider process) =>
        process.GetRequiredService<IDataProtectionProvider>().CreateProtector("Tidings.Tests.Antiforgery");

    public void Dispose() => _keys.Delete(recursive: true);
}
