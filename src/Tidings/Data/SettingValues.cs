using System.Globalization;

namespace Tidings.Data;

/// <summary>Reads a number, a time span or a switch of a configuration section, refusing a bad one in words at start-up.</summary>
public static class SettingValues
{
    public static bool Switch(IConfigurationSection section, string key, bool fallback)
    {
        if (section[key] is not { Length: > 0 } text)
            return fallback;
        return bool.TryParse(text, out var value)
            ? value
            : throw new InvalidConfigurationException($"{section.Path}:{key} '{text}' is not true or false.");
    }

    public static int Number(IConfigurationSection section, string key, int fallback, int min, int max)
    {
        if (section[key] is not { Length: > 0 } text)
            return fallback;
        if (!int.TryParse(text, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new InvalidConfigurationException($"{section.Path}:{key} '{text}' is not a number from {min} to {max}.");
        return value;
    }

    public static TimeSpan Span(IConfigurationSection section, string key, TimeSpan fallback, TimeSpan min, TimeSpan max)
    {
        if (section[key] is not { Length: > 0 } text)
            return fallback;
        if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new InvalidConfigurationException($"{section.Path}:{key} '{text}' is not a time span from {min} to {max}.");
        return value;
    }
}
