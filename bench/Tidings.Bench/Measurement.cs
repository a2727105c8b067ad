using System.Diagnostics;

namespace Tidings.Bench;

public readonly record struct Timed<T>(T Value, TimeSpan Elapsed);

/// <summary>Wall-clock time and peak memory of one piece of work.</summary>
public static class Measurement
{
    public static async Task<Timed<T>> TimeAsync<T>(Func<Task<T>> work)
    {
        var stopwatch = Stopwatch.StartNew();
        var value = await work();
        return new Timed<T>(value, stopwatch.Elapsed);
    }

    public static Timed<T> Time<T>(Func<T> work)
    {
        var stopwatch = Stopwatch.StartNew();
        var value = work();
        return new Timed<T>(value, stopwatch.Elapsed);
    }

    /// <summary>
    /// Starts a new peak, so each measured piece of work reports its own rather than the largest so far in
    /// the process. Only Linux can do this (writing 5 to clear_refs resets VmHWM); elsewhere, or where the
    /// kernel refuses, the peak stays the process-wide one.
    /// </summary>
    public static void ResetPeakWorkingSet()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    public static long PeakWorkingSetBytes()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }
}
