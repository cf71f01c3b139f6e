using CryoSharp.Numerics;

namespace CryoSharp.Experiments;

/// <summary>
/// Runs a numerical experiment over a grid of cells (method × N × σ, k_max × noise level, …) with seeded
/// repetitions: repetition r of every cell draws from <c>seeds.Spawn("repetition", r)</c>, so every method and
/// every setting sees the same random instances, and a sweep repeats exactly from its seed. Cells run one after
/// another (each trial is itself parallel), and each cell's summary is handed out as soon as it is complete, so long
/// sweeps show results as they go.
/// </summary>
public static class ExperimentSweep
{
    /// <summary>Runs <paramref name="trial"/> for every cell and repetition and summarises each cell.</summary>
    /// <typeparam name="TCell">What varies: a method and its settings.</typeparam>
    /// <typeparam name="TTrial">What one repetition measures.</typeparam>
    /// <typeparam name="TPoint">A cell's summary.</typeparam>
    /// <param name="cells">The cells, in the order they run and are reported.</param>
    /// <param name="repetitions">How many repetitions a cell gets (at least 1).</param>
    /// <param name="seeds">The sweep's seeds.</param>
    /// <param name="trial">One repetition of a cell, from that repetition's seeds.</param>
    /// <param name="summarize">A cell's summary from its trials.</param>
    /// <param name="progress">Repetitions done, counted over all cells.</param>
    /// <param name="completed">Called with each cell's summary as soon as it is known.</param>
    public static TPoint[] Run<TCell, TTrial, TPoint>(IReadOnlyList<TCell> cells, Func<TCell, int> repetitions, SeedSequence seeds,
        Func<TCell, SeedSequence, TTrial> trial, Func<TCell, TTrial[], TPoint> summarize,
        IProgress<long>? progress = null, Action<TPoint>? completed = null)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(repetitions);
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(summarize);
        var points = new TPoint[cells.Count];
        long done = 0;
        for (int c = 0; c < cells.Count; c++)
        {
            int count = repetitions(cells[c]);
            if (count < 1)
            {
                throw new InvalidParameterException("--repetitions", count, "must be at least 1");
            }

            var trials = new TTrial[count];
            for (int r = 0; r < count; r++)
            {
                trials[r] = trial(cells[c], seeds.Spawn("repetition", r));
                progress?.Report(++done);
            }

            points[c] = summarize(cells[c], trials);
            completed?.Invoke(points[c]);
        }

        return points;
    }

    /// <summary>Total repetitions of a sweep (for a progress bar).</summary>
    public static long TotalRepetitions<TCell>(IReadOnlyList<TCell> cells, Func<TCell, int> repetitions)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(repetitions);
        long total = 0;
        foreach (var cell in cells)
        {
            total += repetitions(cell);
        }

        return total;
    }
}
