using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace CryoSharp.Cli.Options;

/// <summary>
/// Options holding several numbers: a comma list ("1e3,1e4,1e5") or, where allowed, a range "start:stop:step".
/// Parsed and checked when the command line is read, so a bad list is one line naming the option.
/// </summary>
internal static class NumberListOption
{
    /// <summary>A comma list of positive numbers (1e3 style allowed).</summary>
    public static Option<double[]> Positive(string name, string description, string defaultText) => new(name)
    {
        Description = description,
        HelpName = "list",
        DefaultValueFactory = _ => ParsePositive(defaultText) ?? [],
        CustomParser = result => ParsePositive(Text(result)) ?? Fail<double>(result, name, "must be a comma list of positive numbers"),
    };

    /// <summary>A comma list of positive numbers, or a range 'start:stop:step'.</summary>
    public static Option<double[]> Range(string name, string description, string defaultText) => new(name)
    {
        Description = description,
        HelpName = "start:stop:step|list",
        DefaultValueFactory = _ => ParseRange(defaultText) ?? [],
        CustomParser = result => ParseRange(Text(result)) ?? Fail<double>(result, name, "must be 'start:stop:step' (start ≤ stop, step > 0) or a comma list of numbers"),
    };

    /// <summary>A comma list of whole numbers from 1 to <paramref name="limit"/>.</summary>
    public static Option<int[]> Whole(string name, string description, string defaultText, int limit) => new(name)
    {
        Description = description,
        HelpName = "list",
        DefaultValueFactory = _ => ParseWhole(defaultText, limit) ?? [],
        CustomParser = result => ParseWhole(Text(result), limit) ?? Fail<int>(result, name, $"must be a comma list of whole numbers from 1 to {limit}"),
    };

    /// <summary>'start:stop:step' or a comma list of numbers; null when the text is neither.</summary>
    internal static double[]? ParseRange(string text)
    {
        var c = CultureInfo.InvariantCulture;
        var parts = text.Split(':');
        if (parts.Length == 3)
        {
            if (!double.TryParse(parts[0], NumberStyles.Float, c, out double start) || !double.TryParse(parts[1], NumberStyles.Float, c, out double stop)
                || !double.TryParse(parts[2], NumberStyles.Float, c, out double step) || !(step > 0) || stop < start)
            {
                return null;
            }

            int count = (int)Math.Floor(((stop - start) / step) + 1e-9) + 1;
            return [.. Enumerable.Range(0, count).Select(i => Math.Round(start + (i * step), 12))];
        }

        var values = new List<double>();
        foreach (var p in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!double.TryParse(p, NumberStyles.Float, c, out double v) || !double.IsFinite(v))
            {
                return null;
            }

            values.Add(v);
        }

        return values.Count > 0 ? [.. values] : null;
    }

    private static double[]? ParsePositive(string text)
    {
        var values = new List<double>();
        foreach (var p in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !(v > 0) || !double.IsFinite(v))
            {
                return null;
            }

            values.Add(v);
        }

        return values.Count > 0 ? [.. values] : null;
    }

    private static int[]? ParseWhole(string text, int limit)
    {
        var values = new List<int>();
        foreach (var p in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int v) || v < 1 || v > limit)
            {
                return null;
            }

            values.Add(v);
        }

        return values.Count > 0 ? [.. values] : null;
    }

    private static string Text(ArgumentResult result) => result.Tokens.Count == 1 ? result.Tokens[0].Value : "";

    private static T[] Fail<T>(ArgumentResult result, string name, string problem)
    {
        result.AddError($"{name} = {Text(result)}: {problem}");
        return [];
    }
}
