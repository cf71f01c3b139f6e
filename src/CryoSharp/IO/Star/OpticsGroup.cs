namespace CryoSharp.IO.Star;

/// <summary>One RELION optics group: the microscope and detector settings its particles share.</summary>
public sealed class OpticsGroup
{
    /// <summary>Group number, from 1 (<c>rlnOpticsGroup</c>).</summary>
    public int Number { get; set; } = 1;

    /// <summary>Group name (<c>rlnOpticsGroupName</c>).</summary>
    public string Name { get; set; } = "opticsGroup1";

    /// <summary>Acceleration voltage in kV.</summary>
    public double VoltageKv { get; set; } = 300;

    /// <summary>Spherical aberration Cs in mm.</summary>
    public double SphericalAberrationMm { get; set; } = 2.7;

    /// <summary>Amplitude contrast Q0 (fraction, usually 0.1).</summary>
    public double AmplitudeContrast { get; set; } = 0.1;

    /// <summary>Particle image pixel size in Å.</summary>
    public double PixelSizeA { get; set; } = 1;

    /// <summary>Particle box size in pixels (0 when the file does not say).</summary>
    public int ImageSize { get; set; }

    /// <summary>2 for particle images, 3 for subtomograms.</summary>
    public int ImageDimensionality { get; set; } = 2;

    /// <summary>The images have been phase-flipped (<c>rlnCtfDataArePhaseFlipped</c> = 1).</summary>
    public bool CtfDataArePhaseFlipped { get; set; }

    /// <summary>The images have been multiplied by their CTF (<c>rlnCtfDataAreCtfPremultiplied</c> = 1).</summary>
    public bool CtfDataAreCtfPremultiplied { get; set; }

    /// <summary>Columns of the optics table CryoSharp does not interpret, kept for writing back.</summary>
    public List<KeyValuePair<string, string>> Extra { get; } = [];
}
