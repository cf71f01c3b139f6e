namespace CryoSharp.IO.Star;

/// <summary>
/// The one registry of RELION labels CryoSharp knows, with type and unit (RELION's <c>metadata_label.h</c>).
/// Code refers to labels through these fields, never through string literals.
/// </summary>
public static class StarLabels
{
#pragma warning disable CS1591 // The registry entries document themselves through their descriptions.
    public static readonly StarLabel ImageName = S("rlnImageName", "", "image reference: index@stack.mrcs, index from 1");
    public static readonly StarLabel MicrographName = S("rlnMicrographName", "", "micrograph the particle was picked from");
    public static readonly StarLabel AngleRot = D("rlnAngleRot", "deg", "first Euler angle (rot, ZYZ)");
    public static readonly StarLabel AngleTilt = D("rlnAngleTilt", "deg", "second Euler angle (tilt, ZYZ)");
    public static readonly StarLabel AnglePsi = D("rlnAnglePsi", "deg", "third Euler angle (psi, ZYZ)");
    public static readonly StarLabel OriginXAngst = D("rlnOriginXAngst", "Å", "x translation that centres the particle");
    public static readonly StarLabel OriginYAngst = D("rlnOriginYAngst", "Å", "y translation that centres the particle");
    public static readonly StarLabel OriginZAngst = D("rlnOriginZAngst", "Å", "z translation that centres a subtomogram");
    public static readonly StarLabel OriginX = D("rlnOriginX", "px", "x translation in pixels (RELION ≤ 3.0)");
    public static readonly StarLabel OriginY = D("rlnOriginY", "px", "y translation in pixels (RELION ≤ 3.0)");
    public static readonly StarLabel DefocusU = D("rlnDefocusU", "Å", "defocus along the major axis, underfocus positive");
    public static readonly StarLabel DefocusV = D("rlnDefocusV", "Å", "defocus along the minor axis, underfocus positive");
    public static readonly StarLabel DefocusAngle = D("rlnDefocusAngle", "deg", "angle of the defocus-U axis from x");
    public static readonly StarLabel PhaseShift = D("rlnPhaseShift", "deg", "phase-plate phase shift");
    public static readonly StarLabel CtfBfactor = D("rlnCtfBfactor", "Å²", "B-factor envelope of the CTF");
    public static readonly StarLabel CtfScalefactor = D("rlnCtfScalefactor", "", "scale of the CTF");
    public static readonly StarLabel CtfMaxResolution = D("rlnCtfMaxResolution", "Å", "resolution to which Thon rings were fitted");
    public static readonly StarLabel CtfFigureOfMerit = D("rlnCtfFigureOfMerit", "", "CTF fit figure of merit");
    public static readonly StarLabel Voltage = D("rlnVoltage", "kV", "acceleration voltage");
    public static readonly StarLabel SphericalAberration = D("rlnSphericalAberration", "mm", "spherical aberration Cs");
    public static readonly StarLabel AmplitudeContrast = D("rlnAmplitudeContrast", "", "fraction of amplitude contrast Q0");
    public static readonly StarLabel OpticsGroup = I("rlnOpticsGroup", "", "optics group number, from 1");
    public static readonly StarLabel OpticsGroupName = S("rlnOpticsGroupName", "", "optics group name");
    public static readonly StarLabel ImagePixelSize = D("rlnImagePixelSize", "Å", "pixel size of the particle images");
    public static readonly StarLabel ImageSize = I("rlnImageSize", "px", "box size of the particle images");
    public static readonly StarLabel CtfDataArePhaseFlipped = I("rlnCtfDataArePhaseFlipped", "", "1 when the images have been phase-flipped");
    public static readonly StarLabel CtfDataAreCtfPremultiplied = I("rlnCtfDataAreCtfPremultiplied", "", "1 when the images have been multiplied by their CTF");
    public static readonly StarLabel ImageDimensionality = I("rlnImageDimensionality", "", "2 for images, 3 for subtomograms");
    public static readonly StarLabel MicrographPixelSize = D("rlnMicrographPixelSize", "Å", "pixel size of the micrographs");
    public static readonly StarLabel MicrographOriginalPixelSize = D("rlnMicrographOriginalPixelSize", "Å", "pixel size of the movies");
    public static readonly StarLabel PixelSize = D("rlnPixelSize", "Å", "pixel size (RELION ≤ 3.0)");
    public static readonly StarLabel Magnification = D("rlnMagnification", "", "magnification (RELION ≤ 3.0)");
    public static readonly StarLabel DetectorPixelSize = D("rlnDetectorPixelSize", "µm", "detector pixel size (RELION ≤ 3.0)");
    public static readonly StarLabel BeamTiltX = D("rlnBeamTiltX", "mrad", "beam tilt along x");
    public static readonly StarLabel BeamTiltY = D("rlnBeamTiltY", "mrad", "beam tilt along y");
    public static readonly StarLabel ClassNumber = I("rlnClassNumber", "", "class the particle is assigned to, from 1");
    public static readonly StarLabel RandomSubset = I("rlnRandomSubset", "", "gold-standard half set, 1 or 2");
    public static readonly StarLabel GroupNumber = I("rlnGroupNumber", "", "scale/noise group number");
    public static readonly StarLabel GroupName = S("rlnGroupName", "", "scale/noise group name");
    public static readonly StarLabel CoordinateX = D("rlnCoordinateX", "px", "x position in the micrograph");
    public static readonly StarLabel CoordinateY = D("rlnCoordinateY", "px", "y position in the micrograph");
    public static readonly StarLabel AutopickFigureOfMerit = D("rlnAutopickFigureOfMerit", "", "picking score");
    public static readonly StarLabel NormCorrection = D("rlnNormCorrection", "", "intensity normalisation correction");
    public static readonly StarLabel LogLikeliContribution = D("rlnLogLikeliContribution", "", "log-likelihood contribution");
    public static readonly StarLabel MaxValueProbDistribution = D("rlnMaxValueProbDistribution", "", "largest posterior probability");
    public static readonly StarLabel NrOfSignificantSamples = I("rlnNrOfSignificantSamples", "", "number of significant orientations");
    public static readonly StarLabel HelicalTubeId = I("rlnHelicalTubeID", "", "helical tube the segment belongs to");
#pragma warning restore CS1591

    private static readonly Dictionary<string, StarLabel> ByName = typeof(StarLabels)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.FieldType == typeof(StarLabel))
        .Select(f => (StarLabel)f.GetValue(null)!)
        .ToDictionary(l => l.Name, StringComparer.Ordinal);

    /// <summary>Every known label.</summary>
    public static IReadOnlyCollection<StarLabel> All => ByName.Values;

    /// <summary>The registry entry for a label name (without underscore), or null for an unknown label.</summary>
    public static StarLabel? Find(string name) => ByName.GetValueOrDefault(name);

    private static StarLabel S(string name, string unit, string description) => new(name, StarValueType.String, unit, description);

    private static StarLabel D(string name, string unit, string description) => new(name, StarValueType.Double, unit, description);

    private static StarLabel I(string name, string unit, string description) => new(name, StarValueType.Integer, unit, description);
}
