using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;
using Tidings.Monitoring;
using Tidings.Tests.Cli;
using static Tidings.Tests.Monitoring.TestFeeds;

namespace Tidings.Tests.Monitoring;

/// <summary>`tidings monitor run` as an operator runs it: the built executable, on the SQLite default of a working directory.</summary>
public sealed class MonitorCliTests : IAsyncLifetime
{
    private readonly string _workDir = Directory.CreateTempSubdirectory("tidings-monitor-").FullName;
    private LoopbackSite _site = null!;

    public async Task InitializeAsync() => _site = await LoopbackSite.StartAsync();

    public async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        Directory.Delete(_workDir, recursive: true);
    }

    [Fact]
    public async Task Run_once_takes_what_is_due_all_takes_every_source_and_the_last_line_says_what_was_done()
    {
        var demo = await TidingsProcess.RunAsync(_workDir, [], "demo");
        Assert.Equal(TidingsCli.Ok, demo.ExitCode);
        var businessId = DemoOutput.Parse(demo.Out).BusinessId;
        _site.Serve("/wire.xml", Conditional(() => Rss("Demo Wire",
            new Item("Demo client raises $12 million in Series A funding", "https://wire.example.com/1"),
            new Item("Demo client names a new chief executive officer", "https://wire.example.com/2"))));
        await using (var db = Context(businessId))
        {
            // The demo's own sources show every state on .example addresses; this test counts only the one it serves.
            db.Sources.RemoveRange(await db.Sources.ToListAsync());
            var client = await db.Clients.OrderBy(c => c.Name).FirstAsync();
            db.Sources.Add(new Source
            {
                ClientId = client.Id, Kind = SourceKinds.Feed, Url = _site.Url("/wire.xml").AbsoluteUri, FeedUrl = _site.Url("/wire.xml").AbsoluteUri,
                Keep = KeepRules.All, NextDueAt = StoredTime.Of(DateTime.UtcNow),
            });
            await db.SaveChangesAsync();
        }
        var loopbackAllowed = new Dictionary<string, string?> { ["Monitoring__AllowPrivateAddresses"] = "true" };

        var first = await TidingsProcess.RunAsync(_workDir, loopbackAllowed, "monitor", "run", "--once");
        var notDue = await TidingsProcess.RunAsync(_workDir, loopbackAllowed, "monitor", "run", "--once");
        var all = await TidingsProcess.RunAsync(_workDir, loopbackAllowed, "monitor", "run", "--all");

        Assert.Equal((TidingsCli.Ok, TidingsCli.Ok, TidingsCli.Ok), (first.ExitCode, notDue.ExitCode, all.ExitCode));
        Assert.Equal("1 sources fetched, 0 not modified, 0 failed, 2 new events, 0 duplicates", first.LastLine);
        Assert.Equal("0 sources fetched, 0 not modified, 0 failed, 0 new events, 0 duplicates", notDue.LastLine);
        Assert.Equal("0 sources fetched, 1 not modified, 0 failed, 0 new events, 0 duplicates", all.LastLine);
        await using (var db = Context(businessId))
            Assert.Equal(2, await db.Events.CountAsync(e => e.Source == "Demo Wire" && e.ClassifiedBy != null));
    }

    [Fact]
    public async Task A_bad_monitoring_setting_is_bad_configuration_in_one_line()
    {
        var result = await TidingsProcess.RunAsync(_workDir, new() { ["Monitoring__StopAfterFailures"] = "never" }, "monitor", "run", "--once");
        result.AssertFailedInOneLine(TidingsCli.BadConfiguration, "Monitoring:StopAfterFailures");
    }

    private TidingsDbContext Context(Guid businessId) => TidingsProcess.Context(_workDir, businessId);
}
