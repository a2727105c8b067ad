using System.Diagnostics;

namespace Tidings.Bench.Writes;

/// <summary>CPU spent over a piece of work: by this process (bench client and in-process service), and by the whole machine.</summary>
public sealed record CpuUse(TimeSpan Process, TimeSpan? Machine, TimeSpan Wall)
{
    /// <summary>CPU the rest of the machine spent (the local database server, mostly); unknown off Linux.</summary>
    public TimeSpan? Others => Machine - Process;

    public double Utilisation => (Machine ?? Process) / (Wall * Environment.ProcessorCount);
}

/// <summary>
/// Process CPU from the runtime; machine CPU from /proc/stat (Linux only), so a figure can say where a
/// request's CPU went when the service and its database share two cores.
/// </summary>
public sealed class CpuMeter
{
    private readonly TimeSpan _process = ProcessTime();
    private readonly TimeSpan? _machine = MachineBusy();
    private readonly Stopwatch _wall = Stopwatch.StartNew();

    public CpuUse Stop() => new(ProcessTime() - _process, MachineBusy() - _machine, _wall.Elapsed);

    private static TimeSpan ProcessTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>All cores' non-idle time since boot: the first line of /proc/stat, in clock ticks of 10 ms.</summary>
    private static TimeSpan? MachineBusy()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
            var idle = fields[3] + fields[4]; // idle, iowait
            return TimeSpan.FromMilliseconds(10.0 * (fields.Take(8).Sum() - idle));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
