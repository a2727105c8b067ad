using System.CommandLine;

namespace Tidings.Web;

/// <summary>`tidings serve [--urls ...]`, also what `tidings` alone does.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var serve = new Command("serve", $"Run the web service (default {TidingsWeb.DefaultUrls}); the SQLite default migrates itself on start.");
        var urls = UrlsOption();
        serve.Options.Add(urls);
        serve.SetAction((result, ct) => RunAsync(result.GetValue(urls), ct));
        return serve;
    }

    public static Option<string> UrlsOption() => new("--urls")
    {
        Description = "Addresses to listen on, separated by ';'.",
        DefaultValueFactory = _ => TidingsWeb.DefaultUrls,
    };

    public static Task<int> RunAsync(string? urls, CancellationToken ct) =>
        TidingsCli.ReportingFailuresAsync(async () =>
        {
            await using var app = TidingsWeb.Build([], builder => builder.WebHost.UseUrls(urls ?? TidingsWeb.DefaultUrls));
            TidingsWeb.ValidateSettings(app);
            await TidingsWeb.PrepareDatabaseAsync(app, ct);
            await app.RunAsync();
            return TidingsCli.Ok;
        });
}
