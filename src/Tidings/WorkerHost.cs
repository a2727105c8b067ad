using Tidings.Data;

namespace Tidings;

/// <summary>
/// The process of a background verb (`tidings monitor`, `tidings dispatch`): the shipped defaults and the data layer
/// with the verb's own parts, on a database that is migrated (SQLite on the spot, PostgreSQL by `db migrate` first);
/// one round whose last line says what was done, or the loop until stopped.
/// </summary>
public static class WorkerHost
{
    public static IHost Build(Action<HostApplicationBuilder> addParts)
    {
        var builder = Host.CreateApplicationBuilder();
        TidingsCli.AddShippedDefaults(builder.Configuration);
        builder.Services.AddTidingsData(builder.Configuration);
        addParts(builder);
        return builder.Build();
    }

    public static async Task<int> RunOnceAsync(IHost host, Func<IServiceProvider, CancellationToken, Task<string>> round, TextWriter output, CancellationToken ct)
    {
        using (host)
        {
            await DatabaseCommands.RequireMigratedAsync(host.Services, ct);
            await output.WriteLineAsync(await round(host.Services, ct));
            return TidingsCli.Ok;
        }
    }

    public static async Task<int> RunUntilStoppedAsync(IHost host, CancellationToken ct)
    {
        using (host)
        {
            await DatabaseCommands.RequireMigratedAsync(host.Services, ct);
            await host.RunAsync(ct);
            return TidingsCli.Ok;
        }
    }
}
