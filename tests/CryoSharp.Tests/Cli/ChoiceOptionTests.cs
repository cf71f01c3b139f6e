using CryoSharp.Cli.Options;
using CryoSharp.Tests.Support;

namespace CryoSharp.Tests.Cli;

public class ChoiceOptionTests
{
    private enum Shade
    {
        Light,
        Dark,
    }

    [Fact]
    public void AWordChoiceParsesAndABoolChoiceIsRefusedWhenBuilt()
    {
        // System.CommandLine passes only 'true' or 'false' to a bool option, so a bool choice would refuse its own
        // words on the command line ('--target chord' failed so): the factory refuses bool outright.
        var shade = ChoiceOption.Create("--shade", "A shade.", [("light", Shade.Light), ("dark", Shade.Dark)], Shade.Light);
        var command = new System.CommandLine.RootCommand { shade };
        Assert.Equal(Shade.Dark, command.Parse(["--shade", "dark"]).GetValue(shade));
        Assert.Equal(Shade.Light, command.Parse([]).GetValue(shade));
        Assert.Throws<ArgumentException>(() => ChoiceOption.Create("--flag", "A flag.", [("yes", true), ("no", false)], false));
    }

    [Fact]
    public void ClassAveragesEmbeddingSearchTakesItsWords()
    {
        // The option is parsed (the error is the missing file, not an unknown 'candidates').
        using var temp = new TempDirectory();
        var (code, _, error) = CliRunner.Run("class-average", "--particles", temp.File("none.star"), "--out", temp.File("out"), "--embedding-search", "candidates");
        Assert.Equal(2, code);
        Assert.Contains("none.star", error);
        Assert.DoesNotContain("Unrecognized", error);
    }
}
