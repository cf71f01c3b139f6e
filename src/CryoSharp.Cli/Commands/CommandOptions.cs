using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace CryoSharp.Cli.Commands;

/// <summary>Option kinds several commands share, with their parsing rules.</summary>
internal static class CommandOptions
{
    /// <summary>A non-negative number that may also be "inf" (for an SNR meaning "no noise").</summary>
    public static Option<double> NumberOrInfinity(string name, string description, double defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = ParseNumberOrInfinity,
    };

    /// <summary>The --json switch.</summary>
    public static Option<bool> Json() => new("--json") { Description = "Print the results as JSON (camelCase keys) instead of text." };

    private static double ParseNumberOrInfinity(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (text.Equals("inf", StringComparison.OrdinalIgnoreCase) || text.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            return double.PositiveInfinity;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            return value;
        }

        result.AddError($"'{text}' is not a number (or 'inf')");
        return 0;
    }
}
