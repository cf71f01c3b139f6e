namespace CryoSharp.Cli;

/// <summary>
/// The one place a command's result is printed: as camelCase JSON with <c>--json</c> (for scripts), otherwise as the
/// command's few lines of text. Standard output carries only results; options, progress and warnings go to standard
/// error.
/// </summary>
internal static class CommandOutput
{
    /// <summary>Prints <paramref name="result"/> as JSON, or through <paramref name="text"/>; returns the success code.</summary>
    public static int Emit<T>(CliConsole console, bool json, T result, Action<TextWriter, T> text)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(text);
        if (json)
        {
            JsonOutput.Write(console.Out, result);
        }
        else
        {
            text(console.Out, result);
        }

        return CryoSharpApp.Success;
    }
}
