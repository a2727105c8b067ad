namespace Tidings.Monitoring.Feeds;

/// <summary>The document is not a feed (an HTML page, other XML or JSON, an empty body); the message is one sentence for a person.</summary>
public sealed class NotAFeedException(string message) : Exception(message);
