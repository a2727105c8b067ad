using System.Text.Json;

namespace Tidings.Bench.Legacy;

public sealed record LegacyFile(string Path, LegacyFileContents Contents, TimeSpan Generation, bool Reused);

/// <summary>
/// Generated legacy files kept in the temporary folder and reused by later runs of the same size, seed and
/// generator version, with what the generator said about each beside it.
/// </summary>
public static class LegacyFileCache
{
    private sealed record Sidecar(LegacyFileContents Contents, double GenerationSeconds);

    public static string Folder => Path.Combine(Path.GetTempPath(), "tidings-bench");

    public static async Task<LegacyFile> GetOrCreateAsync(int events, CancellationToken ct)
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, $"legacy-{events}-seed{LegacyFileGenerator.DefaultSeed}-v{LegacyFileGenerator.Version}.db");
        var sidecarPath = path + ".json";
        if (File.Exists(path) && File.Exists(sidecarPath))
        {
            var sidecar = JsonSerializer.Deserialize<Sidecar>(await File.ReadAllTextAsync(sidecarPath, ct))!;
            return new LegacyFile(path, sidecar.Contents, TimeSpan.FromSeconds(sidecar.GenerationSeconds), Reused: true);
        }

        // Written under another name and moved last, so a run cut short never leaves a file that looks complete.
        var partial = path + ".partial";
        File.Delete(partial);
        var generated = Measurement.Time(() => LegacyFileGenerator.Write(partial, events, LegacyFileGenerator.DefaultSeed, ct));
        await File.WriteAllTextAsync(sidecarPath, JsonSerializer.Serialize(new Sidecar(generated.Value, generated.Elapsed.TotalSeconds)), ct);
        File.Move(partial, path, overwrite: true);
        return new LegacyFile(path, generated.Value, generated.Elapsed, Reused: false);
    }
}
