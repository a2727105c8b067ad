using Tidings.Monitoring.Fetching;

namespace Tidings.Monitoring;

public static class MonitoringSetup
{
    /// <summary>The monitor's parts; the background loop only when <paramref name="runLoop"/> and Monitoring:Enabled say so.</summary>
    public static IServiceCollection AddTidingsMonitoring(this IServiceCollection services, IConfiguration configuration, bool runLoop)
    {
        var settings = MonitoringSettings.From(configuration);
        services.AddSingleton(settings);
        services.AddSingleton(FetchSettings.From(configuration));
        services.AddSingleton(sp => new FeedFetcher(sp.GetRequiredService<FetchSettings>(), sp.GetService<TimeProvider>()));
        services.AddSingleton<FeedDiscovery>();
        services.AddSingleton<SourcePolling>();
        services.AddSingleton<MonitorRound>();
        if (runLoop && settings.Enabled)
            services.AddHostedService<MonitorService>();
        return services;
    }
}
