using System.CommandLine;
using System.Globalization;
using CryoSharp.Cli.Options;

namespace CryoSharp.Cli;

/// <summary>
/// The line every command prints on standard error before it starts: the command and the value of every option it
/// will use, defaults included, so a log says exactly what ran (as RELION's note files and Warp's option dumps do).
/// </summary>
internal static class ResolvedOptions
{
    /// <summary>"cryosharp reconstruct --particles a.star --out rec --ctf true … --threads 2 --seed 1".</summary>
    public static string Describe(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var parts = new List<string> { "cryosharp" };
        var path = new List<string>();
        for (var c = parse.CommandResult; c is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult)
        {
            if (c.Parent is not null)
            {
                path.Insert(0, c.Command.Name);
            }
        }

        parts.AddRange(path);
        foreach (var argument in parse.CommandResult.Command.Arguments)
        {
            parts.Add(Format(parse.GetResult(argument)?.Tokens.Select(t => t.Value).FirstOrDefault()));
        }

        foreach (var option in AllOptions(parse))
        {
            if (option.Name is "--help" or "--version")
            {
                continue;
            }

            object? value = ValueOf(parse, option);
            if (value is null)
            {
                continue;
            }

            parts.Add(option.Name);
            parts.Add(ChoiceOption.Display(option, value) ?? Format(value));
        }

        return string.Join(' ', parts);
    }

    private static IEnumerable<Option> AllOptions(ParseResult parse)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (System.CommandLine.Parsing.SymbolResult? s = parse.CommandResult; s is not null; s = s.Parent)
        {
            if (s is not System.CommandLine.Parsing.CommandResult c)
            {
                continue;
            }

            foreach (var option in c.Command.Options)
            {
                if ((c == parse.CommandResult || option.Recursive) && seen.Add(option.Name))
                {
                    yield return option;
                }
            }
        }
    }

    private static object? ValueOf(ParseResult parse, Option option)
    {
        var result = parse.GetResult(option);
        if (result is null && !option.HasDefaultValue)
        {
            return null;
        }

        // Options are generic in their value type; read the value through that type.
        var method = typeof(ParseResult).GetMethods()
            .First(m => m.Name == nameof(ParseResult.GetValue) && m.IsGenericMethodDefinition && m.GetParameters()[0].ParameterType.IsGenericType
                && m.GetParameters()[0].ParameterType.GetGenericTypeDefinition() == typeof(Option<>));
        return method.MakeGenericMethod(option.ValueType).Invoke(parse, [option]);
    }

    private static string Format(object? value) => value switch
    {
        null => "",
        string s => s.Contains(' ', StringComparison.Ordinal) ? $"'{s}'" : s,
        bool b => b ? "true" : "false",
        double d => d.ToString("G", CultureInfo.InvariantCulture),
        Enum e => Kebab(e.ToString()),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IEnumerable list => string.Join(',', list.Cast<object?>().Select(Format)),
        _ => value.ToString() ?? "",
    };

    /// <summary>"SheppLogan" → "shepp-logan", as the options are typed.</summary>
    private static string Kebab(string name)
    {
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                text.Append('-');
            }

            text.Append(char.ToLowerInvariant(name[i]));
        }

        return text.ToString();
    }
}
