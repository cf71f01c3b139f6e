using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace CryoSharp.Cli;

/// <summary>
/// Runs long work with progress on standard error: a Spectre.Console bar when a person is watching a terminal, and
/// plain lines when standard error goes to a file or a pipe (in the manner of RELION's "000/1000 sec" lines): one
/// once the work has run a second, then at every tenth of the way or every 30 seconds, whichever comes first, and one
/// when it is done. Standard output stays clean for results and JSON.
/// </summary>
public static class ProgressDisplay
{
    /// <summary>Seconds before the first plain line: quick work prints none.</summary>
    private const double FirstLineAfterSeconds = 1;

    /// <summary>Runs <paramref name="work"/>, which reports progress as a count of <paramref name="total"/> units.</summary>
    public static void Run(CliConsole console, string description, long total, Action<IProgress<long>> work) =>
        Run(console, description, total, work, FirstLineAfterSeconds);

    /// <summary>As <see cref="Run(CliConsole, string, long, Action{IProgress{long}})"/>, with the delay of the first plain line.</summary>
    internal static void Run(CliConsole console, string description, long total, Action<IProgress<long>> work, double firstLineAfterSeconds)
    {
        ArgumentNullException.ThrowIfNull(work);
        Run(console, description, total, (progress, _) => work(progress), firstLineAfterSeconds);
    }

    /// <summary>
    /// Runs work of several phases: <paramref name="work"/> reports progress of <paramref name="total"/> units and may
    /// rename the task (the second argument) as it enters each phase; redirected output gets a line per phase.
    /// </summary>
    public static void RunPhases(CliConsole console, string description, long total, Action<IProgress<long>, Action<string>> work) =>
        Run(console, description, total, work, FirstLineAfterSeconds);

    private static void Run(CliConsole console, string description, long total, Action<IProgress<long>, Action<string>> work, double firstLineAfterSeconds)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(work);
        if (total <= 0)
        {
            work(new SynchronousProgress(_ => { }), _ => { });
            return;
        }

        if (!console.Interactive)
        {
            var lines = new PlainLines(console.Error, description, total, firstLineAfterSeconds);
            work(new SynchronousProgress(lines.Report), lines.Rename);
            lines.Done();
            return;
        }

        console.ErrorConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(description, maxValue: total);
                work(new SynchronousProgress(done => task.Value = done), name => task.Description = name);
                task.Value = total;
            });
    }

    /// <summary>Runs <paramref name="work"/> and returns its result.</summary>
    public static T Run<T>(CliConsole console, string description, long total, Func<IProgress<long>, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        T result = default!;
        Run(console, description, total, progress => { result = work(progress); });
        return result;
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to a context that a console app lacks).</summary>
    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }

    /// <summary>The plain progress lines of redirected output.</summary>
    private sealed class PlainLines(TextWriter error, string description, long total, double firstLineAfterSeconds)
    {
        private string description = description;

        private readonly Stopwatch clock = Stopwatch.StartNew();
        private readonly Lock gate = new();
        private double lastSeconds = double.NegativeInfinity;
        private long lastTenth = -1;
        private bool printed;

        public void Report(long done)
        {
            lock (gate)
            {
                double seconds = clock.Elapsed.TotalSeconds;
                long tenth = Math.Clamp(done * 10 / total, 0, 10);
                if (seconds < firstLineAfterSeconds || (tenth == lastTenth && seconds - lastSeconds < 30) || done >= total)
                {
                    return;
                }

                Write(done, seconds);
                (lastTenth, lastSeconds) = (tenth, seconds);
            }
        }

        public void Rename(string name)
        {
            lock (gate)
            {
                if (name == description)
                {
                    return;
                }

                description = name;
                lastTenth = -1;
                error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} (after {clock.Elapsed.TotalSeconds:0.0} s)"));
                error.Flush();
                printed = true;
            }
        }

        public void Done()
        {
            lock (gate)
            {
                if (printed)
                {
                    Write(total, clock.Elapsed.TotalSeconds);
                }
            }
        }

        private void Write(long done, double seconds)
        {
            string left = done > 0 && done < total ? string.Create(CultureInfo.InvariantCulture, $", about {seconds * (total - done) / done:0} s left") : "";
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{description}: {done}/{total} ({100.0 * done / total:0}%) after {seconds:0.0} s{left}"));
            error.Flush();
            printed = true;
        }
    }
}
