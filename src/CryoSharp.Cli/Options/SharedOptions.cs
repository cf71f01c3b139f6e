using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using CryoSharp.Detection;
using CryoSharp.Moments;
using CryoSharp.Particles;

namespace CryoSharp.Cli.Options;

/// <summary>
/// Every option of the program, each declared once here with one meaning, its units and its default, so that a name
/// means the same thing in every command (<c>--ctf</c> corrects for the CTF, <c>--apply-ctf</c> multiplies by it;
/// <c>--count</c> is always how many items to simulate; lengths are in Å unless the name ends in <c>-px</c>).
/// Commands take the options they need from here; a few take a sentence saying what the value is for in that
/// command.
/// </summary>
internal static class SharedOptions
{
    /// <summary>The kinds of viewing-direction distribution.</summary>
    public enum ViewKind
    {
        /// <summary>Uniform on SO(3).</summary>
        Uniform,

        /// <summary>The default von Mises–Fisher mixture.</summary>
        VonMisesFisher,

        /// <summary>70% near the top view.</summary>
        Preferred,
    }

    // Files and folders.

    /// <summary><c>--particles</c>: a RELION STAR file of particles.</summary>
    public static Option<string> Particles(string needs) => new("--particles", "-i")
    {
        Description = $"RELION STAR file (3.0 or 3.1) of particles {needs}.",
        Required = true,
    };

    /// <summary><c>--out</c> for commands that write a set of files: a folder.</summary>
    public static Option<string> OutputFolder(string writes) => new("--out", "-o")
    {
        Description = $"Output folder (created if needed): {writes}.",
        Required = true,
    };

    /// <summary><c>--out</c> for commands that write one file (and files named after it).</summary>
    public static Option<string> OutputFile(string writes) => new("--out", "-o")
    {
        Description = $"Output file: {writes}.",
        Required = true,
    };

    /// <summary><c>--data-root</c>: where relative image paths are resolved from.</summary>
    public static Option<string?> DataRoot() => new("--data-root")
    {
        Description = "Folder relative image paths are resolved from (the RELION project folder); tried before the current folder and the STAR file's.",
    };

    /// <summary><c>--volume</c>: a map.</summary>
    public static Option<string?> Volume(string purpose) => new("--volume") { Description = $"The map {purpose} (MRC, cubic)." };

    /// <summary><c>--mask</c>: a soft mask map.</summary>
    public static Option<string?> Mask(string purpose) => new("--mask")
    {
        Description = $"A soft mask (MRC, same box as the maps) for {purpose}; the FSC is corrected for it by phase randomisation (Chen et al. 2013).",
    };

    /// <summary><c>--data</c>: a folder a simulate command wrote.</summary>
    public static Option<string?> Data(string writer, string otherwise) => new("--data")
    {
        Description = $"A folder written by '{writer}' (otherwise {otherwise}).",
    };

    /// <summary><c>--plot</c>: an SVG figure of the result.</summary>
    public static Option<string?> Plot(string what) => new("--plot") { Description = $"Write {what} as SVG to this file." };

    /// <summary><c>--json</c>.</summary>
    public static Option<bool> Json() => new("--json") { Description = "Print the results as JSON (camelCase keys) instead of text." };

    // Images and maps.

    /// <summary><c>--pixel-size</c> in Å.</summary>
    public static Option<double?> PixelSize(string of) => new("--pixel-size", "--angpix") { Description = $"Pixel size in Å {of} (RELION's --angpix)." };

    /// <summary><c>--box</c> in pixels.</summary>
    public static Option<int?> Box(string of) => new("--box") { Description = $"Box size in pixels {of}." };

    /// <summary><c>--resolution</c> in Å of a model's density.</summary>
    public static Option<double?> ModelResolution() => new("--resolution")
    {
        Description = "Resolution in Å of an atomic model's density: each atom is a Gaussian of σ = 0.225 × resolution (default: 2 × pixel size).",
    };

    /// <summary><c>--ctf</c>: correct for each particle's CTF.</summary>
    public static Option<bool> CorrectCtf() => new("--ctf")
    {
        Description = "Correct for each particle's CTF (Wiener: Σ CX / (Σ C² + 1/SSNR); |CTF| for phase-flipped images).",
    };

    /// <summary><c>--apply-ctf</c>: multiply images by their CTF.</summary>
    public static Option<bool> ApplyCtf(string what) => new("--apply-ctf")
    {
        Description = $"Multiply {what} by its CTF (RELION's formula, positive at low frequency).",
    };

    /// <summary>
    /// <c>--regularisation</c> of reconstruct: 1/SSNR, or NaN for "auto" (the parser cannot hand out null; see
    /// <see cref="RegularisationValue"/>).
    /// </summary>
    public static Option<double> Regularisation() => new("--regularisation")
    {
        Description = "Wiener term of the division: a constant 1/SSNR ≥ 0 (0: plain division, as relion_reconstruct), or 'auto': per-shell 1/SSNR " +
            "from the half-map FSC (as RELION's refinement tau²), which suppresses noise beyond the resolution but there lowers the map's FSC against the truth.",
        HelpName = "K|auto",
        DefaultValueFactory = _ => 0,
        CustomParser = result =>
        {
            string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (text.Equals("auto", StringComparison.OrdinalIgnoreCase))
            {
                return double.NaN;
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double k) && k >= 0 && double.IsFinite(k))
            {
                return k;
            }

            result.AddError($"--regularisation = {text}: must be 'auto' or a number ≥ 0 (1/SSNR)");
            return 0;
        },
    };

    /// <summary>The 1/SSNR of a <see cref="Regularisation"/> option, null for "auto".</summary>
    public static double? RegularisationValue(ParseResult parse, Option<double> option)
    {
        ArgumentNullException.ThrowIfNull(parse);
        double k = parse.GetValue(option);
        return double.IsNaN(k) ? null : k;
    }

    /// <summary><c>--snr</c>: a non-negative number, or "inf" for no noise.</summary>
    public static Option<double> Snr(double defaultValue) => new("--snr")
    {
        Description = "Signal-to-noise ratio: variance of the clean (CTF-modulated) images inside the particle's circular mask, over the variance of the white Gaussian noise. 'inf' for no noise.",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (text.Equals("inf", StringComparison.OrdinalIgnoreCase) || text.Equals("infinity", StringComparison.OrdinalIgnoreCase))
            {
                return double.PositiveInfinity;
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                return value;
            }

            result.AddError($"--snr = {text}: not a number (or 'inf')");
            return 0;
        },
    };

    // Counts, sizes and noise.

    /// <summary><c>--count</c>: how many items to simulate.</summary>
    public static Option<double> Count(string of, double defaultValue) => new("--count", "-n")
    {
        Description = $"Number of {of} (1e7 style allowed).",
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary>The whole number a <see cref="Count"/> option holds, checked.</summary>
    public static long WholeCount(ParseResult parse, Option<double> count, long maximum, long minimum = 1, string? why = null)
    {
        ArgumentNullException.ThrowIfNull(parse);
        double n = parse.GetValue(count);
        if (!(n >= minimum) || n > maximum || Math.Abs(n - Math.Round(n)) > 1e-9)
        {
            throw new InvalidParameterException(count.Name, n, string.Create(CultureInfo.InvariantCulture, $"must be a whole number from {minimum} to {maximum:G3}{why}"));
        }

        return (long)Math.Round(n);
    }

    /// <summary><c>--sigma</c>: noise standard deviation per sample.</summary>
    public static Option<double> Sigma(double defaultValue) => new("--sigma")
    {
        Description = "Noise standard deviation σ per sample.",
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary><c>--sigmas</c>: several noise levels of a sweep.</summary>
    public static Option<double[]> Sigmas() => NumberListOption.Positive("--sigmas",
        "Comma list of σ (default: --sigma alone). With several σ and one N the plot is error against σ.", "1");

    /// <summary><c>--length</c>: the signal length of 1D models.</summary>
    public static Option<int> SignalLength(int defaultValue) => new("--length", "-L")
    {
        Description = "Signal length L in samples.",
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary>The signal families of the 1D experiments.</summary>
    public static readonly (string Name, MraSignalKind Value)[] SignalChoices =
        [("boxcar", MraSignalKind.Boxcar), ("gaussian", MraSignalKind.Gaussian), ("mixture", MraSignalKind.Mixture)];

    /// <summary><c>--signal</c>: the signal family.</summary>
    public static Option<MraSignalKind> Signal(MraSignalKind defaultValue) => ChoiceOption.Create("--signal",
        "Signal family: boxcar (⌊L/2⌋ + 1 ones), gaussian (i.i.d. standard normal) or mixture (3 Gaussian bumps).", SignalChoices, defaultValue);

    /// <summary><c>--phantom</c>: a built-in map.</summary>
    public static Option<Simulation.PhantomKind?> Phantom() => new("--phantom")
    {
        Description = "A built-in map instead: blobs (an asymmetric molecule, seeded), four-gaussians (four blobs in a chain, seeded) or shepp-logan.",
        HelpName = "blobs|four-gaussians|shepp-logan",
        CustomParser = result =>
        {
            string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (text.Equals("blobs", StringComparison.OrdinalIgnoreCase))
            {
                return Simulation.PhantomKind.Blobs;
            }

            if (text.Equals("four-gaussians", StringComparison.OrdinalIgnoreCase))
            {
                return Simulation.PhantomKind.FourGaussians;
            }

            if (text.Equals("shepp-logan", StringComparison.OrdinalIgnoreCase))
            {
                return Simulation.PhantomKind.SheppLogan;
            }

            result.AddError($"--phantom = {text}: must be one of blobs, four-gaussians, shepp-logan");
            return null;
        },
    };

    /// <summary><c>--pdb</c>: an atomic model.</summary>
    public static Option<string?> AtomicModel() => new("--pdb")
    {
        Description = "An atomic model instead (PDB or mmCIF, may be .gz); see 'cryosharp pdb2map'.",
    };

    /// <summary>The viewing-direction distributions of simulations.</summary>
    public static readonly (string Name, ViewKind Value)[] ViewChoices = [("uniform", ViewKind.Uniform), ("vmf", ViewKind.VonMisesFisher), ("preferred", ViewKind.Preferred)];

    /// <summary><c>--views</c>.</summary>
    public static Option<ViewKind> Views() => ChoiceOption.Create("--views",
        "Viewing directions: uniform (on SO(3)), vmf (a mixture of three von Mises–Fisher components) or preferred (70% near the top view).",
        ViewChoices, ViewKind.Uniform);

    // Solvers and experiments.

    /// <summary><c>--restarts</c>: random starts of a non-convex fit.</summary>
    public static Option<int> Restarts(int defaultValue, string fit) => new("--restarts")
    {
        Description = $"Random starts of {fit}, the best kept.",
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary><c>--tolerance</c>: EM's stopping rule.</summary>
    public static Option<double> Tolerance(double defaultValue) => new("--tolerance")
    {
        Description = "EM stops when the relative change ‖x⁺ − x‖/‖x⁺‖ is below this.",
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary><c>--max-iterations</c>: EM's iteration limit.</summary>
    public static Option<int> MaxIterations(int defaultValue) => new("--max-iterations")
    {
        Description = "EM iteration limit.",
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary><c>--repetitions</c>: seeded instances per point of a sweep.</summary>
    public static Option<int> Repetitions(int defaultValue) => new("--repetitions")
    {
        Description = "Independent seeded instances per point (repetition r is the same instance for every method and setting).",
        DefaultValueFactory = _ => defaultValue,
    };

    // Particles.

    /// <summary>The CTF corrections of ctf-correct.</summary>
    public static readonly (string Name, CtfCorrection Value)[] CtfCorrectionChoices = [("flip", CtfCorrection.Flip), ("wiener", CtfCorrection.Wiener)];

    /// <summary><c>--mode</c> of ctf-correct.</summary>
    public static Option<CtfCorrection> CtfCorrectionMode() => ChoiceOption.Create("--mode",
        "flip: multiply by the sign of the CTF (the images are marked phase-flipped); wiener: X·C/(C² + K) (the CTF columns are dropped, since the CTF is divided out).",
        CtfCorrectionChoices, CtfCorrection.Flip);

    /// <summary><c>--wiener-constant</c>.</summary>
    public static Option<double> WienerConstant() => new("--wiener-constant")
    {
        Description = "K = 1/SSNR of the Wiener filter (the same at every frequency).",
        DefaultValueFactory = _ => 0.1,
    };

    // The 1D experiments.

    /// <summary>The MRA methods.</summary>
    public static readonly (string Name, MraMethod Value)[] MraMethodChoices =
        [("bispectrum", MraMethod.Bispectrum), ("moments", MraMethod.Moments), ("em", MraMethod.Em), ("oracle", MraMethod.Oracle), ("nn-prior", MraMethod.NnPrior)];

    /// <summary>The MTD methods.</summary>
    public static readonly (string Name, MtdMethod Value)[] MtdMethodChoices = [("autocorrelation", MtdMethod.Autocorrelation), ("em", MtdMethod.Em)];

    /// <summary>The MTD placement models.</summary>
    public static readonly (string Name, MtdSpacing Value)[] SpacingChoices = [("separated", MtdSpacing.WellSeparated), ("arbitrary", MtdSpacing.Arbitrary)];

    /// <summary><c>--spacing</c> of MTD.</summary>
    public static Option<MtdSpacing> Spacing() => ChoiceOption.Create("--spacing",
        "separated: starts at least 2L − 1 apart (the model the autocorrelation fit assumes); arbitrary: at least L apart (copies may touch).",
        SpacingChoices, MtdSpacing.WellSeparated);

    /// <summary>Where MTD's EM starts.</summary>
    public enum EmStartKind
    {
        /// <summary>From the autocorrelation estimate.</summary>
        Autocorrelation,

        /// <summary>From a random signal.</summary>
        Random,
    }

    /// <summary>Where MTD's EM starts, by name.</summary>
    public static readonly (string Name, EmStartKind Value)[] EmStartChoices = [("autocorrelation", EmStartKind.Autocorrelation), ("random", EmStartKind.Random)];

    /// <summary><c>--em-start</c>.</summary>
    public static Option<EmStartKind> EmStart() => ChoiceOption.Create("--em-start",
        "Where EM starts: autocorrelation (the autocorrelation estimate of x and γ, after one cheap pass) or random (a random x, γ = 0.1; at low SNR this needs thousands of iterations).",
        EmStartChoices, EmStartKind.Autocorrelation);
}
