using BenchmarkDotNet.Attributes;
using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Numerics;

namespace CryoSharp.Bench;

/// <summary>Streaming an MRC stack image by image, and parsing a 100,000-particle STAR file.</summary>
[MemoryDiagnoser]
public class IoBenchmarks
{
    private const int Images = 2000;
    private const int Particles = 100_000;
    private string folder = "";
    private string stackPath = "";
    private string starText = "";
    private float[] buffer = [];

    /// <summary>Writes a 2,000-image stack at box 128 and a synthetic STAR file.</summary>
    [GlobalSetup]
    public void Setup()
    {
        folder = Path.Combine(Path.GetTempPath(), "cryosharp-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        stackPath = Path.Combine(folder, "stack.mrcs");
        var shape = GridShape.Square(128);
        var random = new RandomStream(1);
        buffer = new float[shape.Length];
        using (var writer = new MrcStackWriter(stackPath, shape, 1.0))
        {
            for (int i = 0; i < Images; i++)
            {
                random.FillGaussian(buffer);
                writer.Append(buffer);
            }

            writer.Complete();
        }

        var table = new ParticleTable
        {
            Columns = ParticleColumns.Image | ParticleColumns.Micrograph | ParticleColumns.Angles | ParticleColumns.Origins |
                ParticleColumns.Defocus | ParticleColumns.RandomSubset,
        };
        table.OpticsGroups.Add(new OpticsGroup { PixelSizeA = 1.0, ImageSize = 128 });
        for (int i = 0; i < Particles; i++)
        {
            table.Particles.Add(new Particle
            {
                Image = new ImageReference((i % 1000) + 1, $"Extract/job012/mic{i / 1000:D4}.mrcs"),
                MicrographName = $"MotionCorr/mic{i / 1000:D4}.mrc",
                AngleRotDeg = random.NextGaussian() * 90,
                AngleTiltDeg = 90 + (random.NextGaussian() * 30),
                AnglePsiDeg = random.NextGaussian() * 90,
                OriginXA = random.NextGaussian(),
                OriginYA = random.NextGaussian(),
                DefocusUA = 15000 + (1000 * random.NextGaussian()),
                DefocusVA = 15000 + (1000 * random.NextGaussian()),
                DefocusAngleDeg = 45,
                RandomSubset = 1 + (i % 2),
            });
        }

        starText = table.ToDocument().ToString();
    }

    /// <summary>Removes the files.</summary>
    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(folder, recursive: true);

    /// <summary>Reads every image of the stack one at a time (time per image).</summary>
    [Benchmark(OperationsPerInvoke = Images)]
    public void ReadStackImageByImage()
    {
        using var reader = new MrcReader(stackPath);
        for (int i = 0; i < Images; i++)
        {
            reader.ReadSectionsInto(i, 1, buffer);
        }
    }

    /// <summary>Parses the STAR text and types every particle (time per call: 100,000 particles).</summary>
    [Benchmark]
    public int ParseStarParticles() => ParticleTable.FromDocument(StarDocument.Parse(starText, "bench.star")).Count;
}
