using System.CommandLine;
using Tidings.Delivery.Outbox;

namespace Tidings.Delivery;

/// <summary>
/// `tidings dispatch`: the dispatcher on its own, for deployments that run it apart from `tidings serve` (which then
/// sets Delivery:Enabled to false). `dispatch run --once` delivers everything due and exits, its last line
/// "N delivered, N to retry, N failed, N with nothing to send, N digests".
/// </summary>
public static class DispatchCommands
{
    public static Command Create()
    {
        var dispatch = new Command("dispatch", "Deliver webhooks and e-mails from the outbox until stopped (the dispatcher apart from the web service).");
        dispatch.SetAction((_, ct) => TidingsCli.ReportingFailuresAsync(() => RunContinuouslyAsync(ct)));

        var once = new Option<bool>("--once") { Description = "Deliver everything due, print what was done, and exit." };
        var run = new Command("run", "Run the dispatcher: until stopped, or with --once for one round.");
        run.Options.Add(once);
        run.SetAction((result, ct) => TidingsCli.ReportingFailuresAsync(() =>
            result.GetValue(once) ? RunOnceAsync(Console.Out, ct) : RunContinuouslyAsync(ct)));
        dispatch.Subcommands.Add(run);
        return dispatch;
    }

    private static Task<int> RunOnceAsync(TextWriter output, CancellationToken ct) =>
        WorkerHost.RunOnceAsync(Build(runLoop: false),
            async (services, token) => (await services.GetRequiredService<DispatchRound>().RunAsync(token)).ToString(), output, ct);

    private static Task<int> RunContinuouslyAsync(CancellationToken ct) => WorkerHost.RunUntilStoppedAsync(Build(runLoop: true), ct);

    private static IHost Build(bool runLoop) => WorkerHost.Build(builder =>
    {
        // The verb is the dispatcher: Delivery:Enabled is for `tidings serve`.
        builder.Configuration["Delivery:Enabled"] = "true";
        builder.Services.AddTidingsDelivery(builder.Configuration, runLoop);
    });
}
