using System.Globalization;
using CryoSharp.Imaging;
using CryoSharp.Particles;
using CryoSharp.Reports;

namespace CryoSharp.Simulation;

/// <summary>
/// The report of a simulation: its settings, the first particles without and with noise, their CTFs, the viewing
/// directions (a heat map of views per bin) and the ground truth's central slices.
/// </summary>
public static class SimulationReport
{
    /// <summary>Writes the report of a simulation of <paramref name="map"/> to <paramref name="path"/>.</summary>
    /// <param name="path">The HTML file.</param>
    /// <param name="map">The ground truth.</param>
    /// <param name="options">What was simulated.</param>
    /// <param name="source">The simulated particles.</param>
    /// <param name="samples">The first images without and with noise.</param>
    public static void Write(string path, Volume map, SimulationOptions options, SimulatedParticleSource source, SimulationSamples samples)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(samples);
        var records = source.Records;
        int n = map.Nx;
        var c = CultureInfo.InvariantCulture;
        var cleanMontage = new Montage { Columns = 8 };
        var noisyMontage = new Montage { Columns = 8 };
        for (int i = 0; i < samples.Count; i++)
        {
            cleanMontage.Add(samples.Clean.AsSpan(i * n * n, n * n), n, n, $"#{i + 1}");
            noisyMontage.Add(samples.Noisy.AsSpan(i * n * n, n * n), n, n, $"#{i + 1}");
        }

        var truthViews = new Montage { Columns = 3 };
        truthViews.Add(map.CentralSlice(0), "slice x").Add(map.CentralSlice(1), "slice y").Add(map.CentralSlice(2), "slice z");
        var angles = records.Select(r => r.Pose.Angles);
        var html = new HtmlReport("CryoSharp simulation")
            .Table([
                ("particles", records.Count.ToString(c)),
                ("box, pixel size", string.Create(c, $"{n} px, {map.PixelSizeA:0.###} Å")),
                ("SNR", double.IsPositiveInfinity(options.Snr) ? "no noise" : string.Create(c, $"{options.Snr} (noise σ {source.NoiseSigma:G4}, signal variance measured in a {NoiseMaskRadius(options, map):0.#} px circle)")),
                ("CTF", options.Ctf ? string.Create(c, $"defocus {options.DefocusMinA}–{options.DefocusMaxA} Å, astigmatism ≤ {options.AstigmatismA} Å, {options.VoltageKv} kV, Cs {options.SphericalAberrationMm} mm, Q0 {options.AmplitudeContrast}") : "none"),
                ("origins", string.Create(c, $"σ = {options.ShiftSigmaA} Å per axis")),
                ("views", options.Views.Description),
                ("seed", options.Seeds.Seed.ToString(c)),
            ])
            .Heading("Particles")
            .Picture(PngEncoder.Encode(cleanMontage.Render()), "The first particles without noise (projection, shift, CTF).")
            .Picture(PngEncoder.Encode(noisyMontage.Render()), "The same particles as written, with noise.");
        if (options.Ctf)
        {
            var ctfMontage = new Montage { Columns = 4 };
            foreach (var r in records.Take(4))
            {
                ctfMontage.Add(r.Ctf!.ToImage(n, map.PixelSizeA), string.Create(c, $"{(r.Ctf.DefocusUA + r.Ctf.DefocusVA) / 2:0} A"));
            }

            html.Picture(PngEncoder.Encode(ctfMontage.Render()), "The CTFs of the first four particles (centre: zero frequency; label: mean defocus).");
        }

        html.Heading("Views")
            .Picture(ViewDistributionMap.RenderPng(angles), "Viewing directions on an equal-area map (rot across, cos(tilt) up, labelled in degrees of tilt), as views per bin: uniform views give an even colour.")
            .Heading("Ground truth")
            .Picture(PngEncoder.Encode(truthViews.Render()), "Central slices of ground_truth.mrc.")
            .Save(path);
    }

    private static double NoiseMaskRadius(SimulationOptions options, Volume map) => options.MaskRadiusPx ?? NoiseModel.ParticleRadius(map);
}
