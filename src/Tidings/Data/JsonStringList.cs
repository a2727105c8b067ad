using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Tidings.Data;

/// <summary>A list of strings stored as a JSON array (TEXT on SQLite, jsonb on PostgreSQL).</summary>
public sealed class JsonStringListConverter() : ValueConverter<List<string>, string>(
    list => JsonSerializer.Serialize(list, (JsonSerializerOptions?)null),
    json => JsonSerializer.Deserialize<List<string>>(json, (JsonSerializerOptions?)null) ?? new List<string>());

public sealed class JsonStringListComparer() : ValueComparer<List<string>>(
    (a, b) => a == null ? b == null : b != null && a.SequenceEqual(b),
    list => list.Aggregate(0, (hash, item) => HashCode.Combine(hash, item.GetHashCode())),
    list => list.ToList());
