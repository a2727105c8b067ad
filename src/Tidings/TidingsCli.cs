using System.CommandLine;
using System.Data.Common;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Tidings.Classification;
using Tidings.Data;
using Tidings.Demo;
using Tidings.Legacy;
using Tidings.Web;

namespace Tidings;

/// <summary>The verbs of the one executable. Each verb builds the host it needs and maps failures to one-line messages.</summary>
public static class TidingsCli
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadConfiguration = 2;

    public static Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Tidings: watch the companies your business serves. With no command, runs the web service.");
        var urls = ServeCommand.UrlsOption();
        root.Options.Add(urls);
        root.SetAction((result, ct) => ServeCommand.RunAsync(result.GetValue(urls), ct));
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(DatabaseCommands.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(LegacyCommands.Create());
        root.Subcommands.Add(ClassifyCommands.Create());
        root.Subcommands.Add(Monitoring.MonitorCommands.Create());
        root.Subcommands.Add(Delivery.DispatchCommands.Create());
        return root.Parse(args).InvokeAsync();
    }

    /// <summary>Runs a verb with the configured services, turning expected failures into a message and an exit code.</summary>
    public static Task<int> WithServicesAsync(Func<IServiceProvider, CancellationToken, Task<int>> verb, CancellationToken ct) =>
        ReportingFailuresAsync(async () =>
        {
            var builder = Host.CreateApplicationBuilder();
            AddShippedDefaults(builder.Configuration);
            builder.Logging.ClearProviders();
            builder.Services.AddTidingsData(builder.Configuration);
            using var host = builder.Build();
            await using var scope = host.Services.CreateAsyncScope();
            return await verb(scope.ServiceProvider, ct);
        });

    /// <summary>
    /// The appsettings.json shipped beside the executable (quiet log levels), under everything else: the working
    /// directory's appsettings.json and environment variables still win, wherever tidings is started from.
    /// </summary>
    public static void AddShippedDefaults(IConfigurationManager configuration) =>
        configuration.Sources.Insert(0, new JsonConfigurationSource
        {
            Path = "appsettings.json",
            Optional = true,
            FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
        });

    /// <summary>Runs a verb, turning expected failures into one line on stderr and an exit code; never a stack trace.</summary>
    public static async Task<int> ReportingFailuresAsync(Func<Task<int>> verb)
    {
        try
        {
            return await verb();
        }
        catch (Exception e) when (e is InvalidConfigurationException or OptionsValidationException)
        {
            await Console.Error.WriteLineAsync($"tidings: configuration: {e.Message.ReplaceLineEndings(" ")}");
            return BadConfiguration;
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync($"tidings: {e.Message}");
            return BadConfiguration;
        }
        catch (Exception e) when ((e as DbException ?? e.InnerException as DbException) is { } database)
        {
            // EF wraps some provider failures (timeouts, failed updates): the database's own message is the one line.
            await Console.Error.WriteLineAsync($"tidings: database: {database.Message.ReplaceLineEndings(" ")}");
            return Failed;
        }
        catch (Exception e) when (e is VerbFailedException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"tidings: {e.Message.ReplaceLineEndings(" ")}");
            return Failed;
        }
    }
}

/// <summary>An expected failure of a verb, reported as one line.</summary>
public sealed class VerbFailedException(string message) : Exception(message);

/// <summary>Options that cannot go together, or that are no longer accepted: refused, before anything runs, as bad configuration is.</summary>
public sealed class UsageException(string message) : Exception(message);
