using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CryoSharp.Imaging;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Numerics;
using CryoSharp.Numerics.Fft;

namespace CryoSharp.Cli.Commands;

/// <summary><c>cryosharp ctf-correct</c>: phase-flipped or Wiener-filtered copies of particle images.</summary>
public static class CtfCorrectCommand
{
    /// <summary>What the correction produced.</summary>
    public sealed record CtfCorrectResult(string Stack, string Star, int Particles, string Mode, double WienerConstant, double Seconds);

    /// <summary>Builds the command.</summary>
    public static Command Create(CliConsole console)
    {
        var particles = new Option<string>("--particles", "-i") { Description = "RELION STAR file of particles with CTF parameters.", Required = true };
        var mode = new Option<string>("--mode") { Description = "flip: multiply by the sign of the CTF; wiener: X·C/(C² + K).", DefaultValueFactory = _ => "flip" };
        mode.AcceptOnlyFromAmong("flip", "wiener");
        var constant = new Option<double>("--wiener-constant") { Description = "K = 1/SSNR of the Wiener filter (same for all frequencies).", DefaultValueFactory = _ => 0.1 };
        var dataRoot = new Option<string?>("--data-root") { Description = "Folder relative image paths are resolved from (the RELION project folder)." };
        var output = new Option<string>("--out", "-o") { Description = "Output folder: corrected.mrcs and corrected.star (the same particles, pointing to the new images).", Required = true };
        var json = CommandOptions.Json();
        var command = new Command("ctf-correct", "Correct particle images for their CTF: phase flipping or Wiener filtering, image by image (streamed).")
        {
            particles, mode, constant, dataRoot, output, json,
        };
        command.SetAction(parse =>
        {
            var result = Run(parse.GetValue(particles)!, parse.GetValue(mode)!, parse.GetValue(constant), parse.GetValue(dataRoot), parse.GetValue(output)!, console);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(console.Out, result);
            }
            else
            {
                console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.Particles} particles corrected ({result.Mode}) in {result.Seconds:0.0} s: {result.Stack}, {result.Star}"));
            }

            return CryoSharpApp.Success;
        });
        return command;
    }

    /// <summary>Corrects every particle and writes the new stack and STAR file.</summary>
    public static CtfCorrectResult Run(string starPath, string mode, double wienerConstant, string? dataRoot, string directory, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var clock = Stopwatch.StartNew();
        if (mode == "wiener" && !(wienerConstant > 0))
        {
            throw new InvalidParameterException("--wiener-constant", wienerConstant, "must be positive");
        }

        var table = ParticleTable.Load(starPath);
        if (!table.Columns.HasFlag(ParticleColumns.Defocus) || !table.Columns.HasFlag(ParticleColumns.Image))
        {
            throw new InvalidFileException(starPath, "ctf-correct needs _rlnImageName and _rlnDefocusU/_rlnDefocusV/_rlnDefocusAngle columns");
        }

        var resolver = new ImagePathResolver(starPath, dataRoot);
        Directory.CreateDirectory(directory);
        string stackPath = Path.Combine(directory, "corrected.mrcs");
        MrcReader? reader = null;
        string? readerPath = null;
        GridShape shape = default;
        double pixel = 0;
        MrcStackWriter? writer = null;
        try
        {
            ProgressDisplay.Run(console, "Correcting", table.Count, progress =>
            {
                var spectrum = Array.Empty<ComplexF>();
                var ctf = Array.Empty<float>();
                var image = Array.Empty<float>();
                for (int i = 0; i < table.Count; i++)
                {
                    var p = table.Particles[i];
                    var path = resolver.Resolve(p.Image.StackPath, p.SourceLine);
                    if (path != readerPath)
                    {
                        reader?.Dispose();
                        reader = new MrcReader(path);
                        readerPath = path;
                    }

                    if (writer is null)
                    {
                        shape = reader!.SectionShape;
                        var optics = table.OpticsOf(p);
                        pixel = optics.PixelSizeA > 0 ? optics.PixelSizeA : reader.PixelSizeA;
                        writer = new MrcStackWriter(stackPath, shape, pixel);
                        spectrum = new ComplexF[shape.HalfComplexLength];
                        ctf = new float[shape.HalfComplexLength];
                        image = new float[shape.Length];
                    }

                    if (p.Image.Index > reader!.SectionCount || reader.SectionShape != shape)
                    {
                        throw new InvalidFileException(starPath, $"image {p.Image} is missing or not {shape}", p.SourceLine);
                    }

                    var model = CtfModel.ForParticle(table, i);

                    reader.ReadSectionsInto(p.Image.Index - 1, 1, image);
                    Fft.Forward(image, shape, spectrum);
                    model.Fill(ctf, shape.Nx, pixel);
                    if (mode == "flip")
                    {
                        SpectrumFilter.PhaseFlip(spectrum, ctf);
                    }
                    else
                    {
                        WienerFilter.Apply(spectrum, ctf, shape.Nx, [wienerConstant]);
                    }

                    Fft.Inverse(spectrum, shape, image);
                    writer.Append(image);
                    p.Image = new ImageReference(i + 1, "corrected.mrcs");
                    progress.Report(i + 1);
                }
            });
            writer?.Complete();
        }
        finally
        {
            writer?.Dispose();
            reader?.Dispose();
        }

        string star = Path.Combine(directory, "corrected.star");
        table.Save(star);
        return new CtfCorrectResult(stackPath, star, table.Count, mode, wienerConstant, clock.Elapsed.TotalSeconds);
    }
}
