using Tidings.Delivery.Email;
using Tidings.Delivery.Outbox;
using Tidings.Delivery.Webhooks;
using Tidings.Monitoring.Fetching;

namespace Tidings.Delivery;

public static class DeliverySetup
{
    /// <summary>The dispatcher's parts (webhooks, e-mail); the background loop only when <paramref name="runLoop"/> and Delivery:Enabled say so.</summary>
    public static IServiceCollection AddTidingsDelivery(this IServiceCollection services, IConfiguration configuration, bool runLoop)
    {
        var settings = DeliverySettings.From(configuration);
        services.AddSingleton(settings);
        services.AddTidingsEmail(configuration);
        // Deliveries follow the fetches' address rules and timeout (Monitoring:AllowPrivateAddresses, Monitoring:Timeout).
        services.AddSingleton(sp => new WebhookSender(FetchSettings.From(configuration), sp.GetService<TimeProvider>()));
        services.AddSingleton<DispatchRound>();
        services.AddSingleton<OutboxCleanup>();
        if (runLoop && settings.Enabled)
            services.AddHostedService<DispatchService>();
        return services;
    }
}
