using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;

namespace Tidings.Demo;

/// <summary>`tidings demo`: one demo business with everything in it, printed.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var demo = new Command("demo", "Create a demo business (users, clients, events, tags, interactions, notifications) and print it.");
        demo.SetAction((_, ct) => TidingsCli.WithServicesAsync(async (services, token) =>
        {
            var settings = services.GetRequiredService<DatabaseSettings>();
            var db = services.GetRequiredService<TidingsDbContext>();
            // The embedded default sets itself up; a server database is migrated by its operator.
            if (settings.Provider == DatabaseProvider.Sqlite)
                await DatabaseCommands.MigrateAsync(settings, token);
            else if ((await db.Database.GetPendingMigrationsAsync(token)).Any())
                throw new VerbFailedException("the database has pending migrations: run `tidings db migrate` first.");

            var made = await DemoBusiness.CreateAsync(db, token);
            Console.Write(made.Describe());
            return TidingsCli.Ok;
        }, ct));
        return demo;
    }
}
