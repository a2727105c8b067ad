using System.Globalization;

namespace Tidings.Pages.Account;

/// <summary>How the account pages write a stored UTC time: to the minute, marked UTC, the same for every reader.</summary>
public static class AccountTimes
{
    public static string Of(DateTime utc) => utc.ToString("d MMM yyyy HH:mm", CultureInfo.InvariantCulture) + " UTC";
}
