using Tidings.Notifications;

namespace Tidings.Pages.Notifications;

/// <summary>The words the pages use for each kind of notification (the API's names are its type codes).</summary>
public static class NotificationKinds
{
    public static string Name(string type) => type switch
    {
        NotificationTypes.HighRelevanceEvent => "Relevant news about a client",
        NotificationTypes.ClientAssigned => "A client assigned to me",
        NotificationTypes.SourceStopped => "A client's source stopped working",
        NotificationTypes.WebhookDisabled => "A webhook was turned off after failures",
        NotificationTypes.ClientMentioned => "Any other news about a client (can be many a day)",
        _ => type,
    };

    /// <summary>A short label for one notification in the list.</summary>
    public static string Label(string type) => type switch
    {
        NotificationTypes.HighRelevanceEvent => "Relevant news",
        NotificationTypes.ClientAssigned => "Assigned to you",
        NotificationTypes.SourceStopped => "Source stopped",
        NotificationTypes.WebhookDisabled => "Webhook off",
        NotificationTypes.ClientMentioned => "News",
        _ => type,
    };
}
