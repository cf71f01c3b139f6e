using System.Buffers.Binary;
using System.IO.Compression;
using System.Xml.Linq;
using CryoSharp.Imaging;
using CryoSharp.Reports;

namespace CryoSharp.Tests.Reports;

public class ReportTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void PngDecodesToTheSamePixels(int channels)
    {
        var raster = new Raster(37, 23, channels);
        var random = new Random(1);
        random.NextBytes(raster.Pixels);
        var png = PngEncoder.Encode(raster);
        var (width, height, colourType, pixels) = DecodePng(png);
        Assert.Equal((37, 23, channels == 1 ? 0 : 2), (width, height, colourType));
        Assert.Equal(raster.Pixels, pixels);
    }

    [Fact]
    public void Crc32MatchesTheStandardCheckValue()
    {
        // The CRC-32 of "123456789" is 0xCBF43926 (ISO 3309 / PNG).
        Assert.Equal(0xCBF43926u, PngEncoder.Crc32("123456789"u8) ^ 0xFFFFFFFFu);
    }

    [Fact]
    public void PercentileContrastIgnoresOutliers()
    {
        var values = Enumerable.Range(0, 1000).Select(i => (float)i / 1000).ToArray();
        values[10] = 1e6f;
        values[20] = float.NaN;
        var window = ContrastWindow.FromPercentiles(values, 1, 99);
        Assert.InRange(window.Low, 0.005, 0.015);
        Assert.InRange(window.High, 0.985, 0.995);
        var bytes = window.Apply(values);
        Assert.Equal(255, bytes[10]);
        Assert.Equal(0, bytes[20]);
        Assert.Equal(0, bytes[0]);
        Assert.InRange(bytes[500], 125, 130);
        Assert.Equal(new ContrastWindow(1, 3), ContrastWindow.FromPercentiles([2f, 2f, 2f]));
    }

    [Fact]
    public void MontageLaysOutLabelledTiles()
    {
        var montage = new Montage { Columns = 3, Scale = 2, Gap = 4 };
        for (int i = 0; i < 5; i++)
        {
            var image = new Image(10, 8, 1.0);
            image[i, 3] = 1;
            montage.Add(image, $"#{i}");
        }

        var raster = montage.Render();
        int cellW = (10 * 2) + 4, cellH = (8 * 2) + BitmapFont.Height + 4 + 4;
        Assert.Equal((3 * cellW) + 4, raster.Width);
        Assert.Equal((2 * cellH) + 4, raster.Height);

        // The bright pixel of tile 4 (row 1, column 1) lands at its scaled position.
        int x = 4 + cellW + (4 * 2), y = 4 + cellH + (3 * 2);
        Assert.Equal(255, raster.Pixels[(y * raster.Width) + x]);

        // Label pixels are drawn below each tile.
        int labelY = 4 + (8 * 2) + 2;
        Assert.Contains(raster.Pixels.Skip(labelY * raster.Width).Take(BitmapFont.Height * raster.Width), b => b == 230);

        // Under wide tiles the labels are drawn at twice the font's size, to stay legible in a scaled-down page.
        var wide = new Montage { Columns = 1 }.Add(new Image(64, 64, 1.0), "MAP X").Render();
        Assert.Equal(4 + (64 * 2) + (2 * BitmapFont.Height) + 4 + 4, wide.Height);
        int row = 4 + (64 * 2) + 2 + (2 * BitmapFont.Height) - 1;
        Assert.Contains(wide.Pixels.Skip(row * wide.Width).Take(wide.Width), b => b == 230);
    }

    [Fact]
    public void BitmapFontCoversLabelsAndFallsBack()
    {
        Assert.Equal(BitmapFont.Glyph('A').ToArray(), BitmapFont.Glyph('a').ToArray());
        Assert.Equal(BitmapFont.Glyph('?').ToArray(), BitmapFont.Glyph('€').ToArray());
        Assert.NotEqual(BitmapFont.Glyph('0').ToArray(), BitmapFont.Glyph('O').ToArray());
        Assert.Equal(17, BitmapFont.MeasureWidth("abc"));
    }

    [Fact]
    public void PlotsDrawTheirTextInTheBundledFont()
    {
        // ScottPlot draws no text at all when it finds no font; the library brings its own, so titles, axis labels,
        // legends and tick labels are there on a bare machine too.
        var plot = new LinePlot { Title = "FSC <test> & more", XLabel = "spatial frequency (1/Å)", YLabel = "FSC" }
            .Add("half maps", [0, 0.1, 0.2, 0.3], [1, 0.9, double.NaN, 0.1])
            .Add("vs truth", [0, 0.1, 0.2, 0.3], [1, 0.95, 0.6, 0.3], markers: true)
            .AddReferenceLine(0.143, "FSC = 0.143");
        var svg = XDocument.Parse(plot.Render());
        XNamespace ns = "http://www.w3.org/2000/svg";
        var texts = svg.Descendants(ns + "text").ToList();
        var words = texts.Select(t => t.Value.Trim()).ToList();
        foreach (var expected in new[] { "FSC <test> & more", "spatial frequency (1/Å)", "FSC", "half maps", "vs truth", "FSC = 0.143", "0.2" })
        {
            Assert.Contains(expected, words);
        }

        Assert.All(texts, t => Assert.Equal("DejaVu Sans", t.Attribute("font-family")?.Value));

        // In the PNG the title's band has dark pixels (text), not only the white background.
        using var bitmap = SkiaSharp.SKBitmap.Decode(plot.RenderPng());
        int dark = 0;
        for (int y = 4; y < 28; y++)
        {
            for (int x = 200; x < 440; x++)
            {
                var c = bitmap.GetPixel(x, y);
                dark += c.Red + c.Green + c.Blue < 300 ? 1 : 0;
            }
        }

        Assert.True(dark > 100, $"{dark} dark pixels where the title is");
    }

    [Fact]
    public void TickLabelsUsePowersOfTenForExtremes()
    {
        Assert.Equal("10⁶", LinePlot.FormatTick(1e6));
        Assert.Equal("10⁻⁴", LinePlot.FormatTick(1e-4));
        Assert.Equal("2.5E+4", LinePlot.FormatTick(25000));
        Assert.Equal("0.25", LinePlot.FormatTick(0.25));
        var log = new LinePlot { LogX = true, LogY = true }.Add("error", [1e3, 1e4, 1e5], [0.3, 0.1, 0.03]);
        var words = XDocument.Parse(log.Render()).Descendants(XName.Get("text", "http://www.w3.org/2000/svg")).Select(t => t.Value.Trim()).ToList();
        Assert.Contains("10³", words);
        Assert.Contains("10⁵", words);
        Assert.Contains("0.1", words);
    }

    [Fact]
    public void HtmlReportEmbedsPicturesAndEscapesText()
    {
        var png = PngEncoder.Encode(new Raster(2, 2));
        var html = new HtmlReport("Run <1>")
            .Paragraph("a & b")
            .Table([("pixel size", "1.5 Å")])
            .Picture(png, "tiles")
            .Plot("<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>", "curve")
            .Render();
        Assert.Contains("<title>Run &lt;1&gt;</title>", html);
        Assert.Contains("a &amp; b", html);
        Assert.Contains("data:image/png;base64," + Convert.ToBase64String(png), html);
        Assert.Contains("<svg xmlns", html);
        Assert.StartsWith("<!DOCTYPE html>", html);
    }

    /// <summary>A minimal PNG reader for the tests: checks every CRC, inflates IDAT and undoes the filters.</summary>
    private static (int Width, int Height, int ColourType, byte[] Pixels) DecodePng(byte[] png)
    {
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        int offset = 8, width = 0, height = 0, colourType = 0;
        using var idat = new MemoryStream();
        while (offset < png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            string type = System.Text.Encoding.ASCII.GetString(png, offset + 4, 4);
            var data = png.AsSpan(offset + 8, length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset + 8 + length));
            Assert.Equal(crc, PngEncoder.Crc32(png.AsSpan(offset + 4, length + 4)) ^ 0xFFFFFFFFu);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                Assert.Equal(8, data[8]);
                colourType = data[9];
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }

            offset += 12 + length;
        }

        int channels = colourType == 0 ? 1 : 3, stride = width * channels;
        idat.Position = 0;
        using var inflated = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionMode.Decompress))
        {
            z.CopyTo(inflated);
        }

        var raw = inflated.ToArray();
        var pixels = new byte[stride * height];
        for (int y = 0; y < height; y++)
        {
            byte filter = raw[y * (stride + 1)];
            for (int i = 0; i < stride; i++)
            {
                byte v = raw[(y * (stride + 1)) + 1 + i];
                byte up = y > 0 ? pixels[((y - 1) * stride) + i] : (byte)0;
                pixels[(y * stride) + i] = filter switch
                {
                    0 => v,
                    2 => (byte)(v + up),
                    _ => throw new InvalidDataException($"unexpected filter {filter}"),
                };
            }
        }

        return (width, height, colourType, pixels);
    }
}
