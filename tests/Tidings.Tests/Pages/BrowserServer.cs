using Deque.AxeCore.Playwright;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Pages;

/// <summary>
/// The real service on a loopback port and one headless chromium (Debian's, /usr/bin/chromium) for a whole test class:
/// each test opens its own browser context, so no cookie or page is shared between tests.
/// </summary>
public abstract class BrowserServer<TDatabase> : TidingsServer<TDatabase>, IAsyncLifetime where TDatabase : TestDatabase, new()
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser!;

    /// <summary>Where each test leaves a picture of what it checked (scripts/test.sh's TestResults is wiped per run; this one is beside the tests).</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    protected override void Configure(WebApplicationBuilder builder) =>
        // Antiforgery keys in memory: the tests write nothing under the home directory.
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true });
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (_browser is not null)
            await _browser.DisposeAsync();
        _playwright?.Dispose();
        await DisposeAsync();
    }

    /// <summary>A fresh browser context (its own cookies) on the service, 1280 px wide unless told.</summary>
    public async Task<IPage> NewPageAsync(bool javaScript = true, int width = 1280)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString(),
            JavaScriptEnabled = javaScript,
            ViewportSize = new ViewportSize { Width = width, Height = 900 },
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
    }

    /// <summary>Screenshots at 1280 and 375 px wide (<paramref name="name"/>-1280, -375), failing if the narrow one scrolls sideways; the page is left at 1280.</summary>
    public static async Task ScreenshotsAtBothWidthsAsync(IPage page, string name, string what)
    {
        await page.SetViewportSizeAsync(1280, 900);
        await ScreenshotAsync(page, $"{name}-1280");
        await page.SetViewportSizeAsync(375, 800);
        await ScreenshotAsync(page, $"{name}-375");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 375"), $"the {what} page scrolls sideways at 375 px");
        await page.SetViewportSizeAsync(1280, 900);
    }

    /// <summary>axe-core's verdict on the page as it stands; a violation fails with its rule and the elements it names.</summary>
    public static async Task AssertAccessibleAsync(IPage page, string what)
    {
        var result = await page.RunAxe();
        var violations = result.Violations.Select(v =>
            $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}").ToList();
        Assert.True(violations.Count == 0, $"axe on {what}:\n" + string.Join("\n", violations));
    }
}

public sealed class SqliteBrowser : BrowserServer<SqliteDatabase>;
public sealed class PostgresBrowser : BrowserServer<PostgresDatabase>;
