using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Tidings.Delivery.Email;

public static class EmailSetup
{
    /// <summary>
    /// The sender, one per process so "e-mail is off" is logged once. Reads and checks the Email section now, so a
    /// bad setting stops the start; no Email:Smtp:Host or Email:From registers a sender that sends nothing.
    /// </summary>
    public static IServiceCollection AddTidingsEmail(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = EmailSettings.From(configuration);
        services.TryAddSingleton(sp => new MailSender(settings, sp.GetRequiredService<ILogger<MailSender>>()));
        return services;
    }
}
