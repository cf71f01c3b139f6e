using System.CommandLine;
using System.Globalization;
using CryoSharp.IO;
using CryoSharp.Numerics;

namespace CryoSharp.Cli.Commands;

/// <summary><c>cryosharp compare A B</c>: how alike two maps or two stacks are, image by image.</summary>
public static class CompareCommand
{
    /// <summary>The comparison of two files.</summary>
    public sealed record CompareResult(string A, string B, int Items, double MinCorrelation, double MeanCorrelation, double MeanScale,
        double MaxRelativeRmsDifference, int WorstItem, IReadOnlyList<double>? Correlations);

    /// <summary>Builds the command.</summary>
    public static Command Create(CliConsole console)
    {
        var first = new Argument<string>("A") { Description = "An MRC map or stack." };
        var second = new Argument<string>("B") { Description = "An MRC map or stack of the same shape." };
        var json = Options.SharedOptions.Json();
        var command = new Command("compare", "Compare two MRC files of the same shape: for stacks image by image, for maps as a whole. Prints the correlation, the scale s with B ≈ s·A, and ‖s·A − B‖/‖B‖.")
        {
            first, second, json,
        };
        command.SetAction(parse =>
        {
            var result = Run(parse.GetValue(first)!, parse.GetValue(second)!, console);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(console.Out, result);
            }
            else
            {
                console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{result.Items} {(result.Items == 1 ? "map" : "images")}: correlation min {result.MinCorrelation:F5} (item {result.WorstItem + 1}), mean {result.MeanCorrelation:F5}; " +
                    $"scale B/A {result.MeanScale:G5}; max relative RMS difference {result.MaxRelativeRmsDifference:G3}"));
            }

            return CryoSharpApp.Success;
        });
        return command;
    }

    /// <summary>Compares <paramref name="pathA"/> with <paramref name="pathB"/>.</summary>
    public static CompareResult Run(string pathA, string pathB, CliConsole console)
    {
        using var a = new MrcReader(pathA);
        using var b = new MrcReader(pathB);
        if (a.SectionShape != b.SectionShape || a.SectionCount != b.SectionCount)
        {
            throw new CryoSharpException(string.Create(CultureInfo.InvariantCulture,
                $"{pathA} is {a.SectionShape}×{a.SectionCount} but {pathB} is {b.SectionShape}×{b.SectionCount}: only files of one shape can be compared"));
        }

        bool stack = a.IsStack || b.IsStack;
        int items = stack ? a.SectionCount : 1, perItem = stack ? 1 : a.SectionCount;
        var length = a.SectionShape.Length * perItem;
        var bufferA = new float[length];
        var bufferB = new float[length];
        var correlations = new double[items];
        double scaleSum = 0, worstDifference = 0;
        ProgressDisplay.Run(console, "Comparing", items, progress =>
        {
            for (int i = 0; i < items; i++)
            {
                if (stack)
                {
                    a.ReadSectionsInto(i * perItem, perItem, bufferA);
                    b.ReadSectionsInto(i * perItem, perItem, bufferB);
                }
                else
                {
                    // Maps are read as fsc reads them: with the header's axis order applied.
                    a.ReadVolume().Data.CopyTo(bufferA, 0);
                    b.ReadVolume().Data.CopyTo(bufferB, 0);
                }

                var c = ImageComparison.Of(bufferA, bufferB);
                correlations[i] = c.Correlation;
                scaleSum += c.Scale;
                worstDifference = Math.Max(worstDifference, c.RelativeRmsDifference);
                progress.Report(i + 1);
            }
        });
        int worst = Array.IndexOf(correlations, correlations.Min());
        return new CompareResult(pathA, pathB, items, correlations[worst], correlations.Average(), scaleSum / items, worstDifference, worst,
            items <= 10_000 ? correlations : null);
    }
}
