namespace Tidings.Pages;

/// <summary>What an action says on the page it redirects to (TempData, read once): "moved to the trash" on the feed.</summary>
public static class FlashMessage
{
    public const string Key = "Flash";
}
