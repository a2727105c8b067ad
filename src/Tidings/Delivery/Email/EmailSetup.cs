using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Tidings.Delivery.Email;

public static class EmailSetup
{
    /// <summary>
    /// The sender, one per process so "e-mail is off" is logged once, and the delivery the dispatcher calls. Reads and
    /// checks the Email section now, so a bad setting stops the start; no Email:Smtp:Host or Email:From registers a
    /// sender that sends nothing. Also the unsubscribe route's rate limit (the web service's limiter).
    /// </summary>
    public static IServiceCollection AddTidingsEmail(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = EmailSettings.From(configuration);
        services.TryAddSingleton(sp => new MailSender(settings, sp.GetRequiredService<ILogger<MailSender>>()));
        services.TryAddSingleton(sp => new EmailDelivery(sp.GetRequiredService<MailSender>(), settings));
        services.AddUnsubscribeRateLimit();
        return services;
    }
}
