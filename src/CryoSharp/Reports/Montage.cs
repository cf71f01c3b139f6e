using CryoSharp.Imaging;

namespace CryoSharp.Reports;

/// <summary>
/// Lays images out on a grid, each with a label beneath, for PNG output: particle stacks, class averages, the
/// central slices of a map. Each tile gets its own percentile contrast unless a common window is given; small
/// images are enlarged by pixel replication so the result is at least readable.
/// </summary>
public sealed class Montage
{
    private readonly List<(float[] Data, int Width, int Height, string Label)> tiles = [];

    /// <summary>Tiles per row (0: about square).</summary>
    public int Columns { get; init; }

    /// <summary>Integer enlargement of every tile (0: chosen so tiles are at least 96 pixels wide).</summary>
    public int Scale { get; init; }

    /// <summary>A contrast shared by all tiles, or null for per-tile percentiles.</summary>
    public ContrastWindow? Contrast { get; init; }

    /// <summary>Gap between tiles in pixels.</summary>
    public int Gap { get; init; } = 4;

    /// <summary>Number of tiles added.</summary>
    public int Count => tiles.Count;

    /// <summary>Adds a tile of Width × Height samples.</summary>
    public Montage Add(ReadOnlySpan<float> data, int width, int height, string label = "")
    {
        if (data.Length < width * height)
        {
            throw new ArgumentException($"Tile data holds {data.Length} samples; {width}×{height} needs {width * height}.");
        }

        tiles.Add((data[..(width * height)].ToArray(), width, height, label ?? ""));
        return this;
    }

    /// <summary>Adds an image.</summary>
    public Montage Add(Image image, string label = "")
    {
        ArgumentNullException.ThrowIfNull(image);
        return Add(image.Data, image.Nx, image.Ny, label);
    }

    /// <summary>Draws the montage.</summary>
    public Raster Render()
    {
        if (tiles.Count == 0)
        {
            throw new InvalidOperationException("A montage needs at least one tile.");
        }

        int tileW = tiles.Max(t => t.Width), tileH = tiles.Max(t => t.Height);
        int scale = Scale > 0 ? Scale : Math.Max(1, (int)Math.Ceiling(96.0 / tileW));
        int columns = Columns > 0 ? Columns : (int)Math.Ceiling(Math.Sqrt(tiles.Count));
        int rows = (tiles.Count + columns - 1) / columns;
        bool labels = tiles.Any(t => t.Label.Length > 0);

        // Labels at twice the font's size under tiles wide enough for them, so they stay legible when a browser shows
        // the picture smaller than its pixels.
        int textScale = tileW * scale >= 120 ? 2 : 1;
        int labelH = labels ? (BitmapFont.Height * textScale) + 4 : 0;
        int cellW = (tileW * scale) + Gap, cellH = (tileH * scale) + labelH + Gap;
        var raster = new Raster((columns * cellW) + Gap, (rows * cellH) + Gap, 1, 32);
        for (int i = 0; i < tiles.Count; i++)
        {
            var (data, w, h, label) = tiles[i];
            int x0 = Gap + (i % columns * cellW), y0 = Gap + (i / columns * cellH);
            var window = Contrast ?? ContrastWindow.FromPercentiles(data);
            raster.Blit(window.Apply(data), w, h, x0, y0, scale);
            if (label.Length > 0)
            {
                // Clip long labels to the tile width rather than overprinting the neighbour.
                int maxChars = Math.Max(1, ((tileW * scale) + 1) / (BitmapFont.Advance * textScale));
                raster.DrawText(label.Length > maxChars ? label[..maxChars] : label, x0, y0 + (h * scale) + 2, 230, textScale);
            }
        }

        return raster;
    }
}
