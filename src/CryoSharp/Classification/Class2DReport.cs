using System.Globalization;
using CryoSharp.Particles;
using CryoSharp.Reports;

namespace CryoSharp.Classification;

/// <summary>Another program's class averages to show beside CryoSharp's (RELION's run_itNNN_classes.mrcs), with their sizes when known.</summary>
/// <param name="Name">Who made them ("RELION 3.1, K = 50, 25 iterations").</param>
/// <param name="Images">The averages, Box² each.</param>
/// <param name="Box">Their box, in pixels.</param>
/// <param name="Distribution">Fraction of particles per class, or null.</param>
public sealed record ComparisonClasses(string Name, IReadOnlyList<float[]> Images, int Box, IReadOnlyList<double>? Distribution);

/// <summary>
/// The report of a 2D classification: the class montage sorted by size with particle counts and resolutions, the
/// class distribution, the log-likelihood and class changes per iteration, a few particles of each class, and
/// optionally another program's classes beside ours.
/// </summary>
public static class Class2DReport
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Writes report.html to <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="state">The final state.</param>
    /// <param name="history">Every iteration's statistics, in order.</param>
    /// <param name="options">The options of the run.</param>
    /// <param name="particles">The particles as classified (preprocessed), for the examples of each class.</param>
    /// <param name="input">What the particles are (a file name).</param>
    /// <param name="comparison">Another program's classes, or null.</param>
    public static void Write(string path, Class2DState state, IReadOnlyList<Class2DIterationStatistics> history, Class2DOptions options,
        IParticleSource particles, string input, ComparisonClasses? comparison = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(particles);
        var model = state.Model;
        var a = state.Assignments;
        int k = model.ClassCount, box = model.Box;
        var counts = new int[k];
        for (int i = 0; i < a.Count; i++)
        {
            if (a.Class[i] >= 1 && a.Class[i] <= k)
            {
                counts[a.Class[i] - 1]++;
            }
        }

        var order = Enumerable.Range(0, k).OrderByDescending(c => counts[c]).ThenBy(c => c).ToArray();
        int scale = Math.Max(1, (int)Math.Ceiling(128.0 / box));
        var montage = new Montage { Columns = Math.Min(10, k), Scale = scale };
        foreach (int c in order)
        {
            montage.Add(model.Classes[c], box, box, counts[c] > 0 ? string.Create(C, $"{c + 1}:{counts[c]} {model.ResolutionA[c]:0}A") : string.Create(C, $"{c + 1}:empty"));
        }

        var sizes = new LinePlot { Title = "Class distribution", XLabel = "class, by size", YLabel = "particles", Width = 640, Height = 320 }
            .Add("particles", order.Select((_, r) => (double)(r + 1)).ToArray(), order.Select(c => (double)counts[c]).ToArray(), markers: true);
        var iterations = history.Select(h => (double)h.Iteration).ToArray();
        var likelihood = new LinePlot { Title = "Log-likelihood", XLabel = "iteration", YLabel = options.Algorithm == SearchAlgorithm.MaximumLikelihood ? "log-likelihood" : "Σ best correlation", Width = 640, Height = 320 }
            .Add("data", iterations, history.Select(h => h.LogLikelihood).ToArray(), markers: true);
        var changes = new LinePlot { Title = "Particles changing class", XLabel = "iteration", YLabel = "fraction", Width = 640, Height = 320, YRange = (0, 1) }
            .Add("changed", iterations, history.Select(h => h.ChangedFraction).ToArray(), markers: true);
        var resolution = new LinePlot { Title = "Resolution", XLabel = "iteration", YLabel = "Å", Width = 640, Height = 320 }
            .Add("best class", iterations, history.Select(h => h.BestResolutionA).ToArray(), markers: true)
            .Add("frequencies used", iterations, history.Select(h => box * model.PixelSizeA / Math.Max(1, h.RadiusPx)).ToArray(), markers: true);

        var examples = new Montage { Columns = 6, Scale = Math.Max(1, 64 / box) };
        var image = new float[box * box];
        foreach (int c in order.Take(8).Where(c => counts[c] > 0))
        {
            examples.Add(model.Classes[c], box, box, string.Create(C, $"class {c + 1}"));
            foreach (int i in Enumerable.Range(0, a.Count).Where(i => a.Class[i] == c + 1).OrderByDescending(i => a.MaxProbability[i]).Take(5))
            {
                particles.ReadImages(i, 1, image);
                examples.Add(image, box, box, string.Create(C, $"#{i + 1}"));
            }

            for (int pad = Math.Min(5, counts[c]); pad < 5; pad++)
            {
                examples.Add(new float[box * box], box, box, "");
            }
        }

        double seconds = history.Sum(h => h.Seconds);
        var report = new HtmlReport("CryoSharp 2D classification")
            .Table([
                ("particles", string.Create(C, $"{a.Count} from {input}")),
                ("box, pixel size", string.Create(C, $"{box} px, {model.PixelSizeA:0.###} Å")),
                ("classes, iterations", string.Create(C, $"{k}, {history.Count} (to iteration {model.Iteration})")),
                ("algorithm", options.Algorithm == SearchAlgorithm.MaximumLikelihood ? string.Create(C, $"maximum likelihood, T = {options.Tau2Fudge}") : "template matching (cross-correlation, hard assignment)"),
                ("CTF", options.Ctf ? "modelled" : "ignored"),
                ("intensity scale", model.GroupScales is { Count: > 0 } scales
                    ? string.Create(C, $"corrected per micrograph: {scales.Count} groups, scales {scales.Min():0.###}–{scales.Max():0.###}")
                    : "not corrected"),
                ("sampling", string.Create(C, $"ψ every {new InPlaneSampling(options.PsiStepDeg, options.Oversampling).StepDeg:0.##}°, offsets within {options.OffsetRangePx} px in {options.OffsetStepPx} px steps, oversampling {options.Oversampling}")),
                ("best class resolution", string.Create(C, $"{model.ResolutionA.Min():0.0} Å")),
                ("time", string.Create(C, $"{seconds:0.0} s ({a.Count * history.Count / Math.Max(seconds, 1e-9):0} particles/s)")),
            ])
            .Heading("Classes")
            .Picture(PngEncoder.Encode(montage.Render()), "Class averages sorted by size, labelled class:particles and estimated resolution (Å).")
            .Plot(sizes.Render(), "Particles per class, largest first.")
            .Heading("Iterations")
            .Plot(likelihood.Render(), options.Algorithm == SearchAlgorithm.MaximumLikelihood
                ? "Log-likelihood of the data under the model each iteration started from, in RELION's units (it rises as the classes sharpen and as more frequencies come in)."
                : "Sum of the particles' best whitened correlations.")
            .Plot(changes.Render(), "Fraction of particles whose most probable class changed.")
            .Plot(resolution.Render(), "Finest class resolution (SSNR = 1) and the resolution of the frequencies each iteration used.");
        if (examples.Count > 0)
        {
            report.Heading("Particles").Picture(PngEncoder.Encode(examples.Render()),
                "The largest classes, each followed by its five most confidently assigned particles (as classified: normalised and masked).");
        }

        if (comparison is { Images.Count: > 0 } other)
        {
            var theirs = new Montage { Columns = Math.Min(10, other.Images.Count), Scale = Math.Max(1, (int)Math.Ceiling(128.0 / other.Box)) };
            var ranked = Enumerable.Range(0, other.Images.Count)
                .OrderByDescending(c => other.Distribution is { } d && c < d.Count ? d[c] : 0).ThenBy(c => c);
            foreach (int c in ranked)
            {
                string label = other.Distribution is { } d && c < d.Count ? string.Create(C, $"{c + 1}: {d[c] * a.Count:0}") : string.Create(C, $"{c + 1}");
                theirs.Add(other.Images[c], other.Box, other.Box, label);
            }

            report.Heading($"Beside: {other.Name}").Picture(PngEncoder.Encode(theirs.Render()),
                "The other program's class averages, sorted by size (class number, particles from its class distribution).");
        }

        report.Save(path);
    }
}
