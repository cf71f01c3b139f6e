namespace CryoSharp.Reports;

/// <summary>An 8-bit picture for output: grayscale (1 channel) or RGB (3 channels), row-major from the top.</summary>
public sealed class Raster
{
    /// <summary>Creates a raster filled with <paramref name="background"/>.</summary>
    public Raster(int width, int height, int channels = 1, byte background = 0)
    {
        if (width < 1 || height < 1)
        {
            throw new InvalidParameterException("raster size", $"{width}×{height}", "must be at least 1×1");
        }

        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "1 (gray) or 3 (RGB).");
        }

        Width = width;
        Height = height;
        Channels = channels;
        Pixels = new byte[width * height * channels];
        Array.Fill(Pixels, background);
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>1 for grayscale, 3 for RGB.</summary>
    public int Channels { get; }

    /// <summary>The pixel bytes, row after row, channels interleaved.</summary>
    public byte[] Pixels { get; }

    /// <summary>Sets one pixel (all channels) if it lies inside the raster.</summary>
    public void Set(int x, int y, byte value)
    {
        if ((uint)x < (uint)Width && (uint)y < (uint)Height)
        {
            Pixels.AsSpan(((y * Width) + x) * Channels, Channels).Fill(value);
        }
    }

    /// <summary>Sets one RGB pixel (gray rasters take the mean) if it lies inside the raster.</summary>
    public void Set(int x, int y, byte r, byte g, byte b)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
        {
            return;
        }

        int i = ((y * Width) + x) * Channels;
        if (Channels == 1)
        {
            Pixels[i] = (byte)((r + g + b) / 3);
        }
        else
        {
            Pixels[i] = r;
            Pixels[i + 1] = g;
            Pixels[i + 2] = b;
        }
    }

    /// <summary>Copies a grayscale tile to (x0, y0), enlarging each tile pixel to a scale×scale block.</summary>
    public void Blit(ReadOnlySpan<byte> tile, int tileWidth, int tileHeight, int x0, int y0, int scale = 1)
    {
        for (int y = 0; y < tileHeight * scale; y++)
        {
            for (int x = 0; x < tileWidth * scale; x++)
            {
                Set(x0 + x, y0 + y, tile[((y / scale) * tileWidth) + (x / scale)]);
            }
        }
    }

    /// <summary>Draws text with the built-in 5×7 font (letters shown as capitals), top-left at (x0, y0).</summary>
    public void DrawText(string text, int x0, int y0, byte value = 255, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(text);
        int x = x0;
        foreach (char c in text)
        {
            var glyph = BitmapFont.Glyph(c);
            for (int row = 0; row < BitmapFont.Height; row++)
            {
                for (int col = 0; col < BitmapFont.Width; col++)
                {
                    if ((glyph[row] & (1 << (BitmapFont.Width - 1 - col))) != 0)
                    {
                        for (int sy = 0; sy < scale; sy++)
                        {
                            for (int sx = 0; sx < scale; sx++)
                            {
                                Set(x + (col * scale) + sx, y0 + (row * scale) + sy, value);
                            }
                        }
                    }
                }
            }

            x += BitmapFont.Advance * scale;
        }
    }
}
