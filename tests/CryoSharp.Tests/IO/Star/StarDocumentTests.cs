using CryoSharp.IO.Star;

namespace CryoSharp.Tests.IO.Star;

public class StarDocumentTests
{
    private const string Sample = """

        # version 30001

        data_general

        _rlnFinalResolution     3.42   # a comment after a value
        _rlnDescription  'two words'
        _rlnEmpty  ""

        # version 30001

        data_model_classes

        loop_
        _rlnReferenceImage #1
        _rlnClassDistribution #2
        _rlnNote #3
        000001@Class3D/run_it025_classes.mrcs   0.25  "a note"
        000002@Class3D/run_it025_classes.mrcs   0.75  'it''s'
        data_
        loop_
        _rlnA
        _rlnB
        1 2
        3 4
        """;

    [Fact]
    public void ParsesBlocksPairsLoopsCommentsAndQuotes()
    {
        var doc = StarDocument.Parse(Sample, "sample.star");
        Assert.Equal(["general", "model_classes", ""], doc.Blocks.Select(b => b.Name));
        var general = doc.Find("general")!;
        Assert.Equal("3.42", general.GetPair("rlnFinalResolution"));
        Assert.Equal("two words", general.GetPair("rlnDescription"));
        Assert.Equal("", general.GetPair("rlnEmpty"));
        Assert.Equal("version 30001", general.Comment);

        var loop = doc.Find("model_classes")!.Loop!;
        Assert.Equal(["rlnReferenceImage", "rlnClassDistribution", "rlnNote"], loop.Columns);
        Assert.Equal(2, loop.RowCount);
        Assert.Equal("a note", loop.GetString(0, 2));
        Assert.Equal("it''s", loop.GetString(1, 2)); // STAR quotes close only before white space
        Assert.Equal(18, loop.LineOf(0));
        Assert.Equal(2, doc.Blocks[2].Loop!.RowCount);
    }

    [Fact]
    public void WritingAndReadingAgainKeepsEverything()
    {
        var doc = StarDocument.Parse(Sample, "sample.star");
        var again = StarDocument.Parse(doc.ToString(), "again.star");
        Assert.Equal(doc.Blocks.Count, again.Blocks.Count);
        for (int b = 0; b < doc.Blocks.Count; b++)
        {
            Assert.Equal(doc.Blocks[b].Name, again.Blocks[b].Name);
            Assert.Equal(doc.Blocks[b].Pairs, again.Blocks[b].Pairs);
            var (l1, l2) = (doc.Blocks[b].Loop, again.Blocks[b].Loop);
            Assert.Equal(l1 is null, l2 is null);
            if (l1 is not null)
            {
                Assert.Equal(l1.Columns, l2!.Columns);
                for (int r = 0; r < l1.RowCount; r++)
                {
                    for (int c = 0; c < l1.Columns.Count; c++)
                    {
                        Assert.Equal(l1.GetString(r, c), l2.GetString(r, c));
                    }
                }
            }
        }

        Assert.Contains("_rlnClassDistribution #2", doc.ToString());
    }

    [Theory]
    [InlineData("data_a\nloop_\n_rlnA\n_rlnB\n1 2\n3\n", 6, "row has 1 values but the loop in data_a has 2 columns")]
    [InlineData("_rlnA 1\n", 1, "content before the first data_ block")]
    [InlineData("data_a\n_rlnA\n", 2, "label _rlnA has no value")]
    [InlineData("data_a\n_rlnA 1 2\n", 2, "label _rlnA has 2 values")]
    [InlineData("data_a\nloop_\n_rlnA\n'open 3\n", 4, "unterminated quoted value")]
    [InlineData("data_a\nloop_\n_rlnA\n_rlnA\n", 4, "column _rlnA appears twice")]
    [InlineData("data_a\nloop_\n_rlnA\n1\nloop_\n_rlnB\n", 5, "a second loop_")]
    [InlineData("data_a\n;\ntext\n;\n", 2, "multi-line text fields")]
    [InlineData("data_a\n42\n", 2, "a value outside any loop")]
    public void MalformedFilesNameTheLine(string text, int line, string problem)
    {
        var error = Assert.Throws<InvalidFileException>(() => StarDocument.Parse(text, "bad.star"));
        Assert.Equal(line, error.Line);
        Assert.Contains(problem, error.Message);
        Assert.StartsWith($"bad.star, line {line}: ", error.Message);
    }

    [Fact]
    public void MissingFileIsReported()
    {
        var error = Assert.Throws<InvalidFileException>(() => StarDocument.Load("/no/such/particles.star"));
        Assert.Contains("/no/such/particles.star", error.Message);
    }

    [Fact]
    public void TableColumnsCanBeAddedAndCellsSet()
    {
        var table = new StarTable();
        table.AddColumn("rlnA");
        table.AddRow(["1"]);
        table.AddRow(["2"]);
        table.AddColumn("rlnB", "x");
        table.Set(1, 1, 2.5);
        Assert.Equal("x", table.GetString(0, "rlnB"));
        Assert.Equal("2.5", table.GetString(1, 1));
        Assert.Equal("2", table.GetString(1, 0));
        Assert.Throws<ArgumentException>(() => table.AddRow(["only one"]));
    }

    [Fact]
    public void LabelRegistryHasTypesAndUnits()
    {
        Assert.Equal(StarValueType.Double, StarLabels.Find("rlnDefocusU")!.Type);
        Assert.Equal("Å", StarLabels.Find("rlnDefocusU")!.Unit);
        Assert.Equal("kV", StarLabels.Voltage.Unit);
        Assert.Equal(StarValueType.Integer, StarLabels.RandomSubset.Type);
        Assert.Null(StarLabels.Find("rlnNoSuchLabel"));
        Assert.Equal(StarLabels.All.Count, StarLabels.All.Select(l => l.Name).Distinct().Count());
    }
}
