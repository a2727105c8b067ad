using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tidings.Legacy;

/// <summary>What a move from the old app did, printed and written as JSON next to its input.</summary>
public sealed class LegacyImportReport
{
    public const int ExamplesPerAnomaly = 5;

    public string Tool { get; set; } = "";
    public string Source { get; set; } = "";
    public string Target { get; set; } = "";
    public Guid BusinessId { get; set; }
    public string BusinessName { get; set; } = "";
    public string BusinessSlug { get; set; } = "";
    public bool BusinessCreated { get; set; }
    public string? OwnerEmail { get; set; }
    /// <summary>"--admin-email", "first active old user", or why nobody was made owner.</summary>
    public string OwnerChosenBy { get; set; } = "";
    public DateTime StartedAt { get; set; }
    public DateTime FinishedAt { get; set; }
    public double Seconds { get; set; }
    /// <summary>True when every old row was already imported by an earlier run: nothing was written.</summary>
    public bool NothingToDo { get; set; }
    public string KeptValues { get; set; } = "Values that could not be carried as they were are kept whole in the legacy_values table (table_name, record_id, column_name, original_value, reason); " +
                                             "unusable passwords are not kept, only their shape (\"withheld: ...\").";
    /// <summary>Seconds spent writing rows, verifying, and reading and transforming beyond that (events are read while the previous batch is written).</summary>
    public SortedDictionary<string, double> Timings { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, TableCounts> Tables { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, Anomaly> Anomalies { get; } = new(StringComparer.Ordinal);
    public List<OwnerDecision> Owners { get; } = [];
    public Verification? Verification { get; set; }

    public void Time(string phase, long startedTimestamp) =>
        Timings[phase] = Timings.GetValueOrDefault(phase) + System.Diagnostics.Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds;

    public TableCounts Table(string name) =>
        Tables.TryGetValue(name, out var counts) ? counts : Tables[name] = new TableCounts();

    public void Note(string kind, string description, Dictionary<string, string?> example)
    {
        if (!Anomalies.TryGetValue(kind, out var anomaly))
            Anomalies[kind] = anomaly = new Anomaly { Description = description };
        anomaly.Count++;
        if (anomaly.Examples.Count < ExamplesPerAnomaly)
            anomaly.Examples.Add(example);
    }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public async Task WriteAsync(string path, CancellationToken ct)
    {
        var temporary = path + ".partial";
        await using (var file = File.Create(temporary))
            await JsonSerializer.SerializeAsync(file, this, Json, ct);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The report as a person reads it on the terminal.</summary>
    public IEnumerable<string> Lines()
    {
        yield return NothingToDo
            ? $"Nothing to do: every row of {Source} is already in business \"{BusinessName}\" ({BusinessSlug}, {BusinessId})."
            : $"{Source} -> business \"{BusinessName}\" ({BusinessSlug}, {BusinessId}; {(BusinessCreated ? "created" : "existing")}) on {Target} in {Seconds:0.0} s " +
              $"({string.Join(", ", Timings.Select(t => $"{t.Key} {t.Value:0.0} s"))}).";
        if (OwnerEmail is not null)
            yield return $"Owner: {OwnerEmail} ({OwnerChosenBy}).";
        foreach (var (table, counts) in Tables)
            yield return $"  {table}: read {counts.Read}, written {counts.Written}, already imported {counts.AlreadyImported}";
        foreach (var (kind, anomaly) in Anomalies)
            yield return $"  ! {kind}: {anomaly.Count} ({anomaly.Description})";
        foreach (var line in Verification?.Lines() ?? [])
            yield return line;
    }
}

public sealed class TableCounts
{
    public long Read { get; set; }
    public long Written { get; set; }
    public long AlreadyImported { get; set; }
}

public sealed class Anomaly
{
    public string Description { get; set; } = "";
    public long Count { get; set; }
    public List<Dictionary<string, string?>> Examples { get; } = [];
}

public sealed record OwnerDecision(long ClientOldId, string? AccountOwner, string Decision, string? UserEmail);

public sealed class Verification
{
    public SortedDictionary<string, TableCheck> Tables { get; } = new(StringComparer.Ordinal);
    public long ReadOld { get; set; }
    public long ReadNew { get; set; }
    public long StarredOld { get; set; }
    public long StarredNew { get; set; }
    public bool Passed => Tables.Values.All(t => t.Matches) && ReadOld == ReadNew && StarredOld == StarredNew;

    public IEnumerable<string> Lines()
    {
        foreach (var (table, check) in Tables)
            yield return $"  verify {table}: old {check.OldCount} / new {check.NewCount}, checksum {(check.Matches ? "matches" : "DIFFERS")}";
        yield return $"  verify read flags: old {ReadOld} / new {ReadNew}; starred: old {StarredOld} / new {StarredNew}";
        yield return Passed ? "Verified: the new tables hold every old row and value." : "VERIFICATION FAILED: the old and new tables differ.";
    }
}

public sealed class TableCheck
{
    public long OldCount { get; set; }
    public long NewCount { get; set; }
    public string OldChecksum { get; set; } = "";
    public string NewChecksum { get; set; } = "";
    public bool Matches => OldCount == NewCount && OldChecksum == NewChecksum;
}
