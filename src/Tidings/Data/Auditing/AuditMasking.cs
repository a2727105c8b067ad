using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Tidings.Data.Auditing;

/// <summary>Marks a column whose value never reaches the audit trail in clear (hashes, tokens).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SecretAttribute : Attribute;

/// <summary>
/// Marks a column that belongs to one person (their own notes): admins read the audit trail, so it records
/// that the value was set, changed or cleared, never the value.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PrivateAttribute : Attribute;

/// <summary>What the audit trail writes instead of a marked column's value; a null value stays null, so clearing shows.</summary>
internal static class AuditMasking
{
    public const string Secret = "***";
    public const string Private = "(private)";

    private static readonly ConcurrentDictionary<IReadOnlyProperty, string?> Masks = new();

    /// <summary>The stand-in for <paramref name="property"/>'s values, or null when they are audited as they are.</summary>
    public static string? MaskOf(IReadOnlyProperty property) => Masks.GetOrAdd(property, static p =>
        p.PropertyInfo?.GetCustomAttribute<SecretAttribute>() is not null ? Secret
        : p.PropertyInfo?.GetCustomAttribute<PrivateAttribute>() is not null ? Private
        : null);
}
