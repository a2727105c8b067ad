using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Data.SoftDelete;
using Tidings.Data.Tenancy;

namespace Tidings.Tests.Infrastructure;

/// <summary>Reads and copies rows of an entity type known only at run time, for the tests that walk the model.</summary>
public static class EntitySets
{
    public static Guid IdOf(object row) => (Guid)row.GetType().GetProperty("Id")!.GetValue(row)!;

    public static Task<List<Guid>> IdsAsync(TidingsDbContext db, Type type, bool includeDeleted) =>
        (Task<List<Guid>>)Generic(nameof(IdsOf), type).Invoke(null, [db, includeDeleted])!;

    public static Task<List<Guid>> BusinessIdsAsync(TidingsDbContext db, Type type) =>
        (Task<List<Guid>>)Generic(nameof(BusinessIdsOf), type).Invoke(null, [db])!;

    private static Task<List<Guid>> IdsOf<T>(TidingsDbContext db, bool includeDeleted) where T : class =>
        (includeDeleted ? db.Set<T>().IgnoreQueryFilters([SoftDeleteRules.Filter]) : db.Set<T>())
            .Select(e => EF.Property<Guid>(e, "Id")).ToListAsync();

    private static Task<List<Guid>> BusinessIdsOf<T>(TidingsDbContext db) where T : class, ITenantOwned =>
        db.Set<T>().IgnoreQueryFilters([SoftDeleteRules.Filter]).Select(e => e.BusinessId).ToListAsync();

    private static MethodInfo Generic(string name, Type type) =>
        typeof(EntitySets).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type);

    /// <summary>
    /// A detached copy holding only the mapped columns (no navigations), as a caller would build one.
    /// <paramref name="touch"/> changes a text column so that an update would really change something.
    /// </summary>
    public static object Copy(object row, bool newId, bool touch = false)
    {
        var type = row.GetType();
        var copy = Activator.CreateInstance(type)!;
        foreach (var property in ScalarProperties(type))
            property.SetValue(copy, property.GetValue(row));
        if (newId)
            type.GetProperty("Id")!.SetValue(copy, Guid.CreateVersion7());
        if (touch && ScalarProperties(type).FirstOrDefault(p => p.PropertyType == typeof(string) && p.Name is not ("Email" or "NormalizedEmail" or "Type")) is { } text)
            text.SetValue(copy, "touched " + Guid.NewGuid().ToString("N")[..8]);
        return copy;
    }

    /// <summary>Every mapped column's value as text, for comparing a row before and after.</summary>
    public static string Values(object row) =>
        string.Join("; ", ScalarProperties(row.GetType()).Select(p => $"{p.Name}={Format(p.GetValue(row))}"));

    private static IEnumerable<PropertyInfo> ScalarProperties(Type type) =>
        type.GetProperties().Where(p => p.CanWrite && IsScalar(p.PropertyType));

    private static bool IsScalar(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsPrimitive || t == typeof(string) || t == typeof(Guid) || t == typeof(DateTime) || t == typeof(List<string>);
    }

    private static string Format(object? value) => value switch
    {
        null => "null",
        DateTime d => d.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        List<string> list => JsonSerializer.Serialize(list),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };
}
