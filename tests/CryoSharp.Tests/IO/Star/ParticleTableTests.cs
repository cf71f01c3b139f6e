using CryoSharp.IO;
using CryoSharp.IO.Star;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.IO.Star;

public class ParticleTableTests
{
    [SkippableFact]
    public void ReadsRelionMadeParticleFile()
    {
        var path = SharedData.Require("relion/proj_ctf.star");
        var table = ParticleTable.Load(path);
        Assert.Equal(100, table.Count);
        Assert.False(table.FromRelion30);
        var optics = Assert.Single(table.OpticsGroups);
        Assert.Equal((300.0, 2.7, 0.1, 3.0, 64), (optics.VoltageKv, optics.SphericalAberrationMm, optics.AmplitudeContrast, optics.PixelSizeA, optics.ImageSize));

        // The first row of the file, value by value.
        var p = table.Particles[0];
        Assert.Equal(new ImageReference(1, "proj_ctf.mrcs"), p.Image);
        Assert.Equal("mic0001", p.MicrographName);
        Assert.Equal((170.854868, 37.623728, 286.736563), (p.AngleRotDeg, p.AngleTiltDeg, p.AnglePsiDeg));
        Assert.Equal((-1.77160, -0.38812), (p.OriginXA, p.OriginYA));
        Assert.Equal((17128.151, 16862.348, 22.5386), (p.DefocusUA, p.DefocusVA, p.DefocusAngleDeg));
        Assert.Equal(1, p.RandomSubset);
        Assert.Equal(2, table.Particles[1].RandomSubset);
        Assert.True(table.Columns.HasFlag(ParticleColumns.Angles | ParticleColumns.Defocus | ParticleColumns.Origins));
        Assert.Equal(100, table.Particles.Select(q => q.Image.Index).Distinct().Count());

        // Every image resolves (next to the STAR file) and reads.
        var resolver = new ImagePathResolver(path);
        var stack = resolver.Resolve(p.Image.StackPath, p.SourceLine);
        using var reader = new MrcReader(stack);
        Assert.Equal(100, reader.SectionCount);
    }

    [SkippableFact]
    public void RoundTripKeepsValuesAndUnknownColumns()
    {
        var path = SharedData.Require("relion/angles.star");
        var text = File.ReadAllText(path);

        // Add a column CryoSharp does not interpret; it must come back unchanged.
        var doc = StarDocument.Parse(text, path);
        var loop = doc.Find("particles")!.Loop!;
        loop.AddColumn("rlnCustomScore", "0");
        for (int r = 0; r < loop.RowCount; r++)
        {
            loop.Set(r, loop.IndexOf("rlnCustomScore"), $"score{r}");
        }

        var table = ParticleTable.FromDocument(doc);
        Assert.Contains("rlnCustomScore", table.ExtraColumns);
        using var temp = new TempDirectory();
        var written = temp.File("out.star");
        table.Save(written);
        var again = ParticleTable.Load(written);
        Assert.Equal(table.Count, again.Count);
        for (int i = 0; i < table.Count; i++)
        {
            var (a, b) = (table.Particles[i], again.Particles[i]);
            Assert.Equal((a.AngleRotDeg, a.AngleTiltDeg, a.AnglePsiDeg, a.OriginXA, a.OriginYA), (b.AngleRotDeg, b.AngleTiltDeg, b.AnglePsiDeg, b.OriginXA, b.OriginYA));
            Assert.Equal((a.DefocusUA, a.DefocusVA, a.DefocusAngleDeg, a.RandomSubset, a.MicrographName), (b.DefocusUA, b.DefocusVA, b.DefocusAngleDeg, b.RandomSubset, b.MicrographName));
            Assert.Equal($"score{i}", again.GetExtra(b, "rlnCustomScore"));
        }

        // The optics table is RELION's, column for column.
        var optics = StarDocument.Load(written).Find("optics")!.Loop!;
        Assert.Equal(["rlnOpticsGroup", "rlnOpticsGroupName", "rlnAmplitudeContrast", "rlnSphericalAberration", "rlnVoltage", "rlnImagePixelSize", "rlnImageSize", "rlnImageDimensionality"], optics.Columns);
    }

    [Fact]
    public void ReadsRelion30FilesWithPixelOriginsAndPerParticleOptics()
    {
        const string text = """
            data_
            loop_
            _rlnImageName #1
            _rlnAngleRot #2
            _rlnOriginX #3
            _rlnOriginY #4
            _rlnVoltage #5
            _rlnSphericalAberration #6
            _rlnAmplitudeContrast #7
            _rlnDetectorPixelSize #8
            _rlnMagnification #9
            _rlnDefocusU #10
            _rlnGroupNumber #11
            1@stack.mrcs 10 2 -1 300 2.7 0.1 5.0 25000 20000 1
            2@stack.mrcs 20 0.5 0 300 2.7 0.1 5.0 25000 21000 1
            3@other.mrcs 30 1 1 200 2.0 0.07 5.0 50000 22000 2
            """;
        var table = ParticleTable.FromDocument(StarDocument.Parse(text, "old.star"));
        Assert.True(table.FromRelion30);
        Assert.Equal(2, table.OpticsGroups.Count);
        Assert.Equal(2.0, table.OpticsGroups[0].PixelSizeA, 12); // 5 µm · 10⁴ / 25000
        Assert.Equal(1.0, table.OpticsGroups[1].PixelSizeA, 12);
        Assert.Equal(200, table.OpticsGroups[1].VoltageKv);
        Assert.Equal([1, 1, 2], table.Particles.Select(p => p.OpticsGroup));
        Assert.Equal((4.0, -2.0), (table.Particles[0].OriginXA, table.Particles[0].OriginYA));
        Assert.Equal((1.0, 1.0), (table.Particles[2].OriginXA, table.Particles[2].OriginYA));
        Assert.Equal(20000, table.Particles[0].DefocusVA); // V defaults to U when absent
        Assert.Equal(["rlnGroupNumber"], table.ExtraColumns);

        // Written as 3.1: origins in Å, optics in their own block.
        var again = ParticleTable.FromDocument(StarDocument.Parse(table.ToDocument().ToString(), "new.star"));
        Assert.False(again.FromRelion30);
        Assert.Equal(4.0, again.Particles[0].OriginXA);
        Assert.Equal("2", again.GetExtra(again.Particles[2], "rlnGroupNumber"));
    }

    [Theory]
    [InlineData("_rlnAngleRot", "abc", "_rlnAngleRot = 'abc' is not a finite number")]
    [InlineData("_rlnAngleRot", "nan", "is not a finite number")]
    [InlineData("_rlnClassNumber", "1.5", "_rlnClassNumber = '1.5' is not a whole number")]
    [InlineData("_rlnImageName", "0@stack.mrcs", "is not of the form index@stack.mrcs")]
    public void BadValuesNameFileLineAndLabel(string label, string value, string problem)
    {
        var text = $"data_optics\nloop_\n_rlnOpticsGroup\n_rlnImagePixelSize\n1 1.0\ndata_particles\nloop_\n{label}\n_rlnOpticsGroup\n{value} 1\n";
        var error = Assert.Throws<InvalidFileException>(() => ParticleTable.FromDocument(StarDocument.Parse(text, "p.star")));
        Assert.Equal(10, error.Line);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void UndefinedOpticsGroupIsAnError()
    {
        var text = "data_optics\nloop_\n_rlnOpticsGroup\n1\ndata_particles\nloop_\n_rlnAngleRot\n_rlnOpticsGroup\n1 2\n";
        var error = Assert.Throws<InvalidFileException>(() => ParticleTable.FromDocument(StarDocument.Parse(text, "p.star")));
        Assert.Contains("optics group 2", error.Message);
    }

    [Fact]
    public void ResolverTriesDataRootThenWorkingDirectoryThenStarFolder()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.File("project/Extract"));
        Directory.CreateDirectory(temp.File("elsewhere"));
        File.WriteAllText(temp.File("project/Extract/s.mrcs"), "");
        File.WriteAllText(temp.File("elsewhere/local.mrcs"), "");
        var star = temp.File("elsewhere/particles.star");

        var withRoot = new ImagePathResolver(star, temp.File("project"));
        Assert.Equal(temp.File("project/Extract/s.mrcs"), withRoot.Resolve("Extract/s.mrcs"));
        Assert.Equal(temp.File("elsewhere/local.mrcs"), withRoot.Resolve("local.mrcs"));

        var error = Assert.Throws<InvalidFileException>(() => new ImagePathResolver(star).Resolve("Extract/s.mrcs", 12));
        Assert.Equal(12, error.Line);
        Assert.Contains("Extract/s.mrcs not found", error.Message);
        Assert.Contains(temp.File("elsewhere"), error.Message);
        Assert.Contains("--data-root", error.Message);
    }

    [Fact]
    public void ImageReferencesParseAndPrintLikeRelion()
    {
        Assert.Equal(new ImageReference(12, "a/b.mrcs"), ImageReference.TryParse("000012@a/b.mrcs"));
        Assert.Equal(new ImageReference(1, "single.mrc"), ImageReference.TryParse("single.mrc"));
        Assert.Null(ImageReference.TryParse("x@a.mrcs"));
        Assert.Null(ImageReference.TryParse("3@"));
        Assert.Equal("000012@a/b.mrcs", new ImageReference(12, "a/b.mrcs").ToString());
    }
}
