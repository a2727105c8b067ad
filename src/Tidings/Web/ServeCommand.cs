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

    public static async Task<int> RunAsync(string? urls, CancellationToken ct)
    {
        try
        {
            await using var app = TidingsWeb.Build([], builder => builder.WebHost.UseUrls(urls ?? TidingsWeb.DefaultUrls));
            await TidingsWeb.PrepareDatabaseAsync(app, ct);
            await app.RunAsync();
            return TidingsCli.Ok;
        }
        catch (Exception e) when (e is Data.InvalidConfigurationException or VerbFailedException or System.Data.Common.DbException)
        {
            await Console.Error.WriteLineAsync($"tidings: {e.Message.ReplaceLineEndings(" ")}");
            return e is Data.InvalidConfigurationException ? TidingsCli.BadConfiguration : TidingsCli.Failed;
        }
    }
}
