using CryoSharp.IO.Star;

namespace CryoSharp.Particles;

/// <summary>
/// A particle set on disk as RELION keeps one: an MRC stack of the images and a RELION 3.1 STAR file of their records
/// beside it. <see cref="Save"/> writes a source as such a set; <see cref="StarParticleSource.Open(string, string?, double?)"/>
/// opens it again.
/// </summary>
public static class ParticleSet
{
    /// <summary>
    /// Writes the images of <paramref name="source"/> to <paramref name="stackPath"/> and their records to
    /// <paramref name="starPath"/>, the images referred to as <paramref name="imagePath"/>: by default as RELION refers
    /// to them, relative to the project folder it runs in (the current folder), so that
    /// <c>relion_reconstruct --i out/particles.star</c> finds them from there; a stack outside the current folder is
    /// named by its absolute path.
    /// </summary>
    /// <param name="source">The particles.</param>
    /// <param name="stackPath">The stack to write.</param>
    /// <param name="starPath">The STAR file to write.</param>
    /// <param name="columns">The STAR columns to write (with a template: added to the template's).</param>
    /// <param name="template">The table the source's records came from, row for row, whose other columns are kept; or null.</param>
    /// <param name="imagePath">How the STAR file names the stack; null for its file name.</param>
    /// <param name="progress">Images written.</param>
    /// <param name="chunkSize">Images per chunk.</param>
    /// <param name="drop">Columns of the template not to write (the CTF of images whose CTF has been divided out).</param>
    public static void Save(IParticleSource source, string stackPath, string starPath, ParticleColumns columns,
        ParticleTable? template = null, string? imagePath = null, IProgress<long>? progress = null, int chunkSize = 256,
        ParticleColumns drop = ParticleColumns.None)
    {
        ArgumentNullException.ThrowIfNull(source);
        var written = ParticleStackWriter.Write(source, stackPath, imagePath ?? ProjectRelativePath(stackPath), progress, chunkSize);
        if (template is null)
        {
            // Nothing to keep from a template, so the table is never built: a simulation of any size writes in bounded memory.
            ParticleRecords.SaveStreamed(starPath, written, (columns | ParticleColumns.Image) & ~drop);
            return;
        }

        var table = ParticleRecords.ToTable(written, columns | ParticleColumns.Image, template);
        table.Columns &= ~drop;
        table.Save(starPath);
    }

    /// <summary>A file's path as RELION's STAR files name it: relative to the current folder, or absolute outside it.</summary>
    public static string ProjectRelativePath(string path)
    {
        string full = Path.GetFullPath(path), here = Directory.GetCurrentDirectory();
        string relative = Path.GetRelativePath(here, full);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? full : relative;
    }
}
