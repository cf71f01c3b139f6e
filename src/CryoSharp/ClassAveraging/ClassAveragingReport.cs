using System.Globalization;
using CryoSharp.Reports;

namespace CryoSharp.ClassAveraging;

/// <summary>
/// The report of a class-averaging run: averages beside a few of their raw members, the steerable-PCA and the
/// diffusion-map eigenvalues, and (with true poses) the distribution of the angles between each image's viewing
/// direction and its neighbours' for RID, VDM and MFVDM.
/// </summary>
public static class ClassAveragingReport
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Writes report.html.</summary>
    /// <param name="path">The file.</param>
    /// <param name="search">The neighbour search.</param>
    /// <param name="averages">The class averages.</param>
    /// <param name="members">Raw images of the first averages' members, row-major, <paramref name="membersShown"/> per average.</param>
    /// <param name="membersShown">Raw members shown per average.</param>
    /// <param name="angles">Per method with true poses, every neighbour's angle in degrees; null without them.</param>
    /// <param name="rows">Facts for the summary table.</param>
    public static void Write(string path, NeighbourSearchResult search, ClassAverageSet averages, float[] members, int membersShown,
        IReadOnlyDictionary<ClassAveragingMethod, double[]>? angles, IEnumerable<(string Name, string Value)> rows)
    {
        ArgumentNullException.ThrowIfNull(search);
        ArgumentNullException.ThrowIfNull(averages);
        ArgumentNullException.ThrowIfNull(members);
        int box = averages.Box, length = box * box, shown = Math.Min(averages.Count, 12);
        var montage = new Montage { Columns = 1 + membersShown, Scale = box < 64 ? 2 : 1 };
        for (int a = 0; a < shown; a++)
        {
            montage.Add(averages.Images.AsSpan(a * length, length), box, box, string.Create(C, $"average {a + 1}"));
            for (int m = 0; m < membersShown; m++)
            {
                montage.Add(members.AsSpan(((a * membersShown) + m) * length, length), box, box, m == 0 ? "reference" : string.Create(C, $"member {m + 1}"));
            }
        }

        var gallery = new Montage { Columns = 10, Scale = box < 64 ? 2 : 1 };
        for (int a = 0; a < averages.Count; a++)
        {
            gallery.Add(averages.Images.AsSpan(a * length, length), box, box, string.Create(C, $"{a + 1}"));
        }

        var spca = new LinePlot { Title = "Steerable PCA: sample eigenvalues per angular frequency (σ² = 1 line)", XLabel = "component", YLabel = "eigenvalue / σ²", LogY = true, Width = 640, Height = 360 };
        foreach (int k in new[] { 0, 1, 2, 5, 10, 20 }.Where(k => k < search.Pca.SampleEigenvalues.Length))
        {
            var values = search.Pca.SampleEigenvalues[k].Select(v => Math.Max(v / search.Pca.NoiseVariance, 1e-3)).ToArray();
            spca.Add(string.Create(C, $"k = {k}"), values);
        }

        spca.AddReferenceLine(1, "noise");
        var spectra = new LinePlot { Title = "Diffusion-map eigenvalues per frequency k", XLabel = "eigenvalue index", YLabel = "λ", Width = 640, Height = 360 };
        for (int k = 1; k <= search.Maps.MaxFrequency; k += k < 3 ? 1 : 3)
        {
            spectra.Add(string.Create(C, $"k = {k}"), search.Maps.Eigenvalues[k - 1], markers: true);
        }

        var html = new HtmlReport("CryoSharp class-average")
            .Table([
                .. rows,
                ("steerable basis", string.Create(C, $"{search.Basis.Count} Fourier–Bessel coefficients (k ≤ {search.Basis.MaxFrequency}) on a {search.Basis.RadiusPx:0.#} px disc of the {search.SearchBox} px search images")),
                ("steerable PCA", string.Create(C, $"{search.Pca.Count} components (k ≤ {search.Pca.MaxFrequency}) above the noise, σ² = {search.NoiseVariance:G3} per pixel")),
                ("time", string.Join(", ", search.Seconds.Select(s => string.Create(C, $"{s.Key} {s.Value:0.0} s")))),
            ])
            .Heading("Class averages")
            .Picture(PngEncoder.Encode(gallery.Render()), "Every class average (CTF-corrected when --ctf), best neighbourhoods first.")
            .Heading("Averages and their members")
            .Picture(PngEncoder.Encode(montage.Render()), "Each row: a class average, its reference image and some of its members as recorded (not aligned).")
            .Heading("Spectra")
            .Plot(spca.Render(), "Per angular frequency, the eigenvalues of the coefficients' covariance over the noise level; components above the Marchenko–Pastur edge are kept.")
            .Plot(spectra.Render(), "Top 2k + 1 eigenvalues of each normalised graph connection matrix S⁽ᵏ⁾: a gap after them means the graph's in-plane angles are consistent at that frequency.");
        if (angles is not null && angles.Count > 0)
        {
            var histogram = new LinePlot { Title = "Angle between each image's viewing direction and its neighbours'", XLabel = "angle (°)", YLabel = "fraction of neighbours per 5°", Width = 640, Height = 360 };
            var centres = Enumerable.Range(0, 36).Select(b => (5.0 * b) + 2.5).ToArray();
            var summary = new List<(string, string)>();
            foreach (var (method, values) in angles)
            {
                var counts = new double[36];
                foreach (double a in values)
                {
                    counts[Math.Clamp((int)(a / 5), 0, 35)] += 1.0 / values.Length;
                }

                histogram.Add(Name(method), centres, counts, markers: true);
                var (within, median) = NeighbourAccuracy.Summarise(values);
                summary.Add((Name(method), string.Create(C, $"{100 * within:0.0} % within 10°, median {median:0.0}°")));
            }

            html.Heading("Neighbours against the true viewing directions")
                .Plot(histogram.Render(), "Reflected neighbours are compared with the opposite direction, so a wrong reflection counts as far.")
                .Table(summary);
        }

        html.Save(path);
    }

    /// <summary>The method's name as the command line spells it.</summary>
    public static string Name(ClassAveragingMethod method) => method switch
    {
        ClassAveragingMethod.Rid => "rid",
        ClassAveragingMethod.Vdm => "vdm",
        _ => "mfvdm",
    };
}
