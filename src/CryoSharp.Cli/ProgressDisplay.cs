using Spectre.Console;

namespace CryoSharp.Cli;

/// <summary>
/// Runs long work with a Spectre.Console progress bar on standard error when a person is watching, and silently
/// otherwise (scripts, CI, <c>--json</c>), so standard output stays clean.
/// </summary>
public static class ProgressDisplay
{
    /// <summary>Runs <paramref name="work"/>, which reports progress as a count of <paramref name="total"/> units.</summary>
    public static void Run(CliConsole console, string description, long total, Action<IProgress<long>> work)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(work);
        if (!console.Interactive || total <= 0)
        {
            work(new Progress<long>(_ => { }));
            return;
        }

        console.ErrorConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(description, maxValue: total);
                work(new SynchronousProgress(done => task.Value = done));
                task.Value = total;
            });
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to a context that a console app lacks).</summary>
    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
