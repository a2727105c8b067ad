using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;
using Tidings.Delivery.Outbox;
using Tidings.Delivery.Webhooks;
using Tidings.Events;
using Tidings.Tests.Cli;
using Tidings.Tests.Monitoring;

namespace Tidings.Tests.Delivery.Outbox;

/// <summary>`tidings dispatch run --once` as an operator runs it: the built executable, on the SQLite default of a working directory.</summary>
public sealed class DispatchCliTests : IAsyncLifetime
{
    private readonly string _workDir = Directory.CreateTempSubdirectory("tidings-dispatch-").FullName;
    private LoopbackSite _site = null!;
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _site = await LoopbackSite.StartAsync();
        _receiver = new WebhookReceiver(_site, "/hooks/cli");
    }

    public async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        Directory.Delete(_workDir, recursive: true);
    }

    [Fact]
    public async Task Run_once_delivers_what_is_due_and_the_last_line_says_what_was_done()
    {
        var demo = await TidingsProcess.RunAsync(_workDir, [], "demo");
        Assert.Equal(TidingsCli.Ok, demo.ExitCode);
        var businessId = DemoOutput.Parse(demo.Out).BusinessId;
        var secret = WebhookSecret.New();
        await using (var db = Context(businessId))
        {
            db.Webhooks.Add(new Webhook { Url = _receiver.Url, Format = WebhookFormats.Json, EventTypes = [WebhookEventTypes.EventCreated], Secret = secret });
            await db.SaveChangesAsync();
            var client = await db.Clients.OrderBy(c => c.Name).FirstAsync();
            db.Events.AddRange(
                new Event { ClientId = client.Id, Title = "Dispatched one", Category = "funding", EventDate = StoredTime.Of(DateTime.UtcNow) },
                new Event { ClientId = client.Id, Title = "Dispatched two", Category = "funding", EventDate = StoredTime.Of(DateTime.UtcNow) });
            await db.SaveChangesAsync();
        }
        var loopbackAllowed = new Dictionary<string, string?> { ["Monitoring__AllowPrivateAddresses"] = "true" };

        var first = await TidingsProcess.RunAsync(_workDir, loopbackAllowed, "dispatch", "run", "--once");
        var again = await TidingsProcess.RunAsync(_workDir, loopbackAllowed, "dispatch", "run", "--once");

        Assert.Equal((TidingsCli.Ok, TidingsCli.Ok), (first.ExitCode, again.ExitCode));
        Assert.Equal("2 delivered, 0 to retry, 0 failed, 0 with nothing to send, 0 digests", first.LastLine);
        Assert.Equal("0 delivered, 0 to retry, 0 failed, 0 with nothing to send, 0 digests", again.LastLine);
        Assert.Equal(2, _receiver.Messages.Count);
        Assert.All(_receiver.Messages, m => Assert.True(_receiver.Verifies(m, secret)));
    }

    [Fact]
    public async Task A_bad_delivery_setting_is_bad_configuration_in_one_line()
    {
        var result = await TidingsProcess.RunAsync(_workDir, new() { ["Delivery__ClaimBatch"] = "lots" }, "dispatch", "run", "--once");
        result.AssertFailedInOneLine(TidingsCli.BadConfiguration, "Delivery:ClaimBatch");
    }

    private TidingsDbContext Context(Guid businessId) => TidingsProcess.Context(_workDir, businessId);
}
