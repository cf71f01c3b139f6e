using System.CommandLine;
using System.CommandLine.Parsing;

namespace CryoSharp.Cli.Options;

/// <summary>
/// Options whose value is one of a fixed set of names (or a comma list of them), parsed straight into the library's
/// enum, so that commands never map strings by hand. Names are the ones people type (kebab-case, as RELION's and
/// cryoSPARC's users expect), listed in the help.
/// </summary>
internal static class ChoiceOption
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Option, Func<object, string>> Names = [];

    /// <summary>The name of a choice option's value, as typed; null for other options.</summary>
    public static string? Display(Option option, object value) =>
        Names.TryGetValue(option, out var name) ? name(value) : null;

    /// <summary>An option taking one of <paramref name="choices"/>, <paramref name="defaultValue"/> when absent.</summary>
    public static Option<T> Create<T>(string name, string description, IReadOnlyList<(string Name, T Value)> choices, T defaultValue, params string[] aliases)
        where T : struct
    {
        // System.CommandLine gives a bool option only 'true' or 'false' as its argument, so a word such as 'chord'
        // would be refused as an unknown argument: choices need an enum.
        if (typeof(T) == typeof(bool))
        {
            throw new ArgumentException($"{name}: a choice option needs an enum, not bool", nameof(choices));
        }

        string names = string.Join('|', choices.Select(c => c.Name));
        string defaultName = NameOf(choices, defaultValue);
        var option = new Option<T>(name, aliases)
        {
            Description = $"{description} [default: {defaultName}]",
            HelpName = names,
            Arity = ArgumentArity.ExactlyOne,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result => Parse(result, name, choices),
        };
        Names.Add(option, v => NameOf(choices, (T)v));
        return option;
    }

    /// <summary>An option taking a comma list of <paramref name="choices"/>.</summary>
    public static Option<T[]> CreateList<T>(string name, string description, IReadOnlyList<(string Name, T Value)> choices, IReadOnlyList<T> defaultValue)
        where T : struct
    {
        string names = string.Join(',', choices.Select(c => c.Name));
        string defaults = string.Join(',', defaultValue.Select(v => NameOf(choices, v)));
        var option = new Option<T[]>(name)
        {
            Description = $"{description} [default: {defaults}]",
            HelpName = names,
            Arity = ArgumentArity.ExactlyOne,
            DefaultValueFactory = _ => [.. defaultValue],
            CustomParser = result =>
            {
                string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                var values = new List<T>();
                foreach (var part in parts)
                {
                    var match = choices.FirstOrDefault(c => c.Name.Equals(part, StringComparison.OrdinalIgnoreCase));
                    if (match.Name is null)
                    {
                        result.AddError($"{name} = {text}: '{part}' is not one of {names}");
                        return [];
                    }

                    values.Add(match.Value);
                }

                if (values.Count == 0)
                {
                    result.AddError($"{name} = {text}: give at least one of {names}");
                }

                return [.. values];
            },
        };
        Names.Add(option, v => string.Join(',', ((T[])v).Select(x => NameOf(choices, x))));
        return option;
    }

    /// <summary>
    /// The value named <paramref name="name"/> (as a run file keeps it); an unknown name is bad input for
    /// <paramref name="option"/>.
    /// </summary>
    public static T ValueOf<T>(IReadOnlyList<(string Name, T Value)> choices, string name, string option)
    {
        ArgumentNullException.ThrowIfNull(choices);
        foreach (var (n, v) in choices)
        {
            if (n == name)
            {
                return v;
            }
        }

        throw new InvalidParameterException(option, name, $"must be {string.Join(" or ", choices.Select(c => c.Name))}");
    }

    /// <summary>The name people type for <paramref name="value"/>.</summary>
    public static string NameOf<T>(IReadOnlyList<(string Name, T Value)> choices, T value)
        where T : struct => choices.First(c => EqualityComparer<T>.Default.Equals(c.Value, value)).Name;

    private static T Parse<T>(ArgumentResult result, string name, IReadOnlyList<(string Name, T Value)> choices)
        where T : struct
    {
        string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        foreach (var (choice, value) in choices)
        {
            if (choice.Equals(text, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        result.AddError($"{name} = {text}: must be one of {string.Join(", ", choices.Select(c => c.Name))}");
        return default;
    }
}
