using System.Diagnostics;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Cli;

public class ErrorHandlingTests
{
    [SkippableFact]
    public void PipesAndFoldersAreRefusedInsteadOfWaitedOn()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "named pipes are made with mkfifo on Linux");
        using var temp = new TempDirectory();
        using (var mkfifo = Process.Start("mkfifo", temp.File("pipe")))
        {
            mkfifo.WaitForExit();
        }

        foreach (var path in new[] { temp.File("pipe"), temp.Path })
        {
            var run = Task.Run(() => CliRunner.Run("info", path));
            Assert.True(run.Wait(TimeSpan.FromSeconds(30)), $"info {path} did not return");
            var (code, _, error) = run.Result;
            Assert.Equal(2, code);
            Assert.Matches("is (not a regular file|a folder)", error);
        }
    }

    [Fact]
    public void InfoWarnsOfWhatRelionWillNotRead()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("windows.star"), "data_\r\nloop_\r\n_rlnImageName\r\n1@a.mrcs\r\n");
        var (code, output, error) = CliRunner.Run("info", temp.File("windows.star"));
        Assert.True(code == 0, error);
        Assert.Contains("WARNING      the file has Windows line endings (CRLF), which RELION does not read", output);
        Assert.Contains("a data_ block has no name", output);
        (code, output, _) = CliRunner.Run("info", SharedData.Require("relion/proj_ctf.star"));
        Assert.Equal(0, code);
        Assert.DoesNotContain("WARNING", output);
    }

    [Fact]
    public void MapsTooLargeToHoldAreOneLineNamingTheFile()
    {
        // A sparse 1300³ float map (8.8 GB, no disk used): more voxels than one array holds.
        using var temp = new TempDirectory();
        const int n = 1300;
        var header = new byte[1024];
        void Int(int offset, int value) => BitConverter.GetBytes(value).CopyTo(header, offset);
        void Float(int offset, float value) => BitConverter.GetBytes(value).CopyTo(header, offset);
        Int(0, n);
        Int(4, n);
        Int(8, n);
        Int(12, 2);
        Int(28, n);
        Int(32, n);
        Int(36, n);
        Float(40, n);
        Float(44, n);
        Float(48, n);
        Int(64, 1);
        Int(68, 2);
        Int(72, 3);
        "MAP "u8.ToArray().CopyTo(header, 208);
        header[212] = 0x44;
        header[213] = 0x44;
        using (var file = new FileStream(temp.File("huge.mrc"), FileMode.Create))
        {
            file.Write(header);
            file.SetLength(1024 + (4L * n * n * n));
        }

        foreach (var args in new[] { new[] { "fsc", temp.File("huge.mrc"), temp.File("huge.mrc") }, ["project", "--volume", temp.File("huge.mrc"), "--angles", temp.File("a.star"), "--out", temp.File("p.mrcs")] })
        {
            var (code, _, error) = CliRunner.Run(args);
            Assert.True(code == 2, $"{string.Join(' ', args)}: {error}");
            Assert.Contains("huge.mrc: is 1300 × 1300 × 1300", error);
            Assert.DoesNotContain("   at ", error);
        }
    }

    [SkippableFact]
    public void MessagesNameTheFileOrTheOption()
    {
        using var temp = new TempDirectory();
        var small = new CryoSharp.Imaging.GaussianBlobPhantom { Seeds = new CryoSharp.Numerics.SeedSequence(1) }.Create(24, 3.0);
        CryoSharp.IO.MrcWriter.Write(temp.File("small.mrc"), small);
        string star = SharedData.Require("relion/proj_ctf.star");
        string pdb = SharedData.Require("pdb/1tii.pdb");
        Directory.CreateDirectory(temp.File("folder"));
        var cases = new (string[] Args, string Expected)[]
        {
            (["info", "--frobnicate", star], "unknown option '--frobnicate'"),
            (["reconstruct", "--particles", star, "--mask", temp.File("small.mrc"), "--out", temp.File("r")], "small.mrc: the mask is 24×24×24, but the particles make 64³ maps"),
            (["pdb2map", pdb, "--box", "100000", "--out", temp.File("big.mrc")], "--box = 100000: must be between 8 and 1024"),
            (["pdb2map", pdb, "--out", temp.File("folder")], "is a folder; give a file name"),
            (["simulate", "--phantom", "blobs", "--box", "32", "--count", "2e9", "--out", temp.File("s")], "--count = 2000000000: the stack and STAR file would take 8592 GB"),
            (["simulate", "--phantom", "blobs", "--box", "256", "--count", "5e6", "--out", temp.File("s")], "GB free where"),
        };
        foreach (var (args, expected) in cases)
        {
            var (code, _, error) = CliRunner.Run(args);
            Assert.True(code == 2, $"{string.Join(' ', args)} exited {code}: {error}");
            Assert.Contains(expected, error);
            Assert.DoesNotContain("   at ", error);
        }
    }

    [SkippableFact]
    public void FileSystemRefusalsSayWhatIsWrongWithThePathGiven()
    {
        // .NET's own words were "The file '…' already exists" for a file in the way of a folder, "Could not find file"
        // for a place that takes no new folders, and, for a refused write, the name of a hidden temporary file.
        using var temp = new TempDirectory();
        string pdb = SharedData.Require("pdb/1tii.pdb");
        File.WriteAllText(temp.File("afile"), "x");
        var cases = new List<(string[] Args, string Expected)>
        {
            (["pdb2map", pdb, "--out", temp.File("afile/map.mrc")], $"cannot be written: {temp.File("afile")} is a file, not a folder"),
            (["simulate", "--phantom", "blobs", "--box", "16", "--count", "5", "--out", temp.File("afile/sub")], $"the folder cannot be made: {temp.File("afile")} is a file, not a folder"),
            (["simulate", "--phantom", "blobs", "--box", "16", "--count", "5", "--out", temp.File("afile")], "is a file, not a folder; give a folder"),
            (["pdb2map", pdb, "--out", temp.File(new string('a', 300) + ".mrc")], "cannot be written: the name is too long"),
        };
        if (OperatingSystem.IsLinux())
        {
            cases.Add((["simulate", "--phantom", "blobs", "--box", "16", "--count", "5", "--out", "/proc/cryosharp-test"], "the folder cannot be made: /proc does not take new folders"));
        }

        // Permissions do not bind root, so a read-only folder refuses writes only when the tests run as another user.
        if (OperatingSystem.IsLinux() && !Environment.UserName.Equals("root", StringComparison.Ordinal))
        {
            Directory.CreateDirectory(temp.File("ro"));
            File.SetUnixFileMode(temp.File("ro"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
            cases.Add((["pdb2map", pdb, "--out", temp.File("ro/map.mrc")], $"cannot be written: permission denied (this user may not write in {temp.File("ro")}"));
        }

        foreach (var (args, expected) in cases)
        {
            var (code, _, error) = CliRunner.Run(args);
            Assert.True(code == 2, $"{string.Join(' ', args)} exited {code}: {error}");
            Assert.Contains(expected, error);
            Assert.DoesNotContain(".tmp", error);
            Assert.DoesNotContain("   at ", error);
        }
    }

    [Fact]
    public void ErrorsOfTheFileSystemItselfAreNamed()
    {
        // Errno values .NET keeps in the HResult of the I/O errors it has no exception type for.
        Assert.Equal("cannot be written: the disk is full", CryoSharp.IO.FileSystemError.Writing(new IOException("No space left on device", 28), "/tmp/x.mrc"));
        Assert.Equal("cannot be written: the file system is read-only", CryoSharp.IO.FileSystemError.Writing(new IOException("Read-only file system", 30), "/tmp/x.mrc"));
        Assert.Equal("cannot be written: the disk quota is used up", CryoSharp.IO.FileSystemError.Writing(new IOException("Disk quota exceeded", 122), "/tmp/x.mrc"));
        Assert.Equal("the folder cannot be made: the disk is full", CryoSharp.IO.FileSystemError.MakingFolder(new IOException("No space left on device", 28), "/tmp/cryosharp-no-such-folder"));
        Assert.StartsWith("cannot be read: permission denied", CryoSharp.IO.FileSystemError.Reading(new UnauthorizedAccessException(), "/tmp/x.mrc"), StringComparison.Ordinal);
        Assert.Null(CryoSharp.IO.FileSystemError.Unusual(new IOException("something else", 5)));

        // An unexpected error about the hidden temporary file is said of the file asked for.
        string said = CryoSharp.IO.FileSystemError.Writing(new IOException("Input/output error : '/data/.map.mrc.12.ab.tmp'", 5), "/data/map.mrc");
        Assert.Equal("cannot be written (Input/output error : '/data/map.mrc')", said);
    }

    [Fact]
    public void ImpossibleHeadersAreNamedWithTheirFile()
    {
        using var temp = new TempDirectory();
        static byte[] Header(int nx, int ny, int nz, float cell)
        {
            var h = new byte[1024];
            foreach (var (offset, value) in new[] { (0, nx), (4, ny), (8, nz), (12, 2), (28, nx), (32, ny), (36, nz), (64, 1), (68, 2), (72, 3) })
            {
                BitConverter.GetBytes(value).CopyTo(h, offset);
            }

            foreach (int offset in new[] { 40, 44, 48 })
            {
                BitConverter.GetBytes(cell).CopyTo(h, offset);
            }

            "MAP "u8.ToArray().CopyTo(h, 208);
            h[212] = 0x44;
            h[213] = 0x44;
            return h;
        }

        // An infinite cell is no pixel size, not an infinite one.
        using (var file = new FileStream(temp.File("infinite.mrc"), FileMode.Create))
        {
            file.Write(Header(8, 8, 8, float.PositiveInfinity));
            file.SetLength(1024 + (8 * 8 * 8 * 4));
        }

        var (code, _, error) = CliRunner.Run("fsc", temp.File("infinite.mrc"), temp.File("infinite.mrc"));
        Assert.Equal(2, code);
        Assert.Contains("infinite.mrc: the header gives no pixel size; give it with --pixel-size", error);

        // A 32768² plane (sparse, 4 GB) is more than one image holds.
        using (var file = new FileStream(temp.File("plane.mrc"), FileMode.Create))
        {
            file.Write(Header(32768, 32768, 1, 32768));
            file.SetLength(1024 + (32768L * 32768 * 4));
        }

        (code, _, error) = CliRunner.Run("info", temp.File("plane.mrc"));
        Assert.Equal(2, code);
        Assert.Contains("plane.mrc: has sections of 32768 × 32768", error);
    }
}
