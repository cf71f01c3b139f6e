namespace CryoSharp;

/// <summary>
/// Base of the errors a user can cause and fix (a bad file, an impossible parameter). The command-line program
/// prints <see cref="Exception.Message"/> as one line and exits with code 2; anything else is a bug.
/// </summary>
public class CryoSharpException : Exception
{
    /// <summary>Creates the error with a one-line, user-facing message.</summary>
    public CryoSharpException(string message) : base(message) { }

    /// <summary>Creates the error with a one-line, user-facing message and the low-level cause.</summary>
    public CryoSharpException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A file that cannot be read as what it claims to be: truncated, malformed or inconsistent.</summary>
public sealed class InvalidFileException : CryoSharpException
{
    /// <summary>Creates the error; the message names the file and, where known, the line.</summary>
    public InvalidFileException(string path, string problem, int? line = null)
        : base(line is null ? $"{path}: {problem}" : $"{path}, line {line}: {problem}")
    {
        FilePath = path;
        Line = line;
    }

    /// <summary>The file that was being read.</summary>
    public string FilePath { get; }

    /// <summary>The 1-based line of a text file where the problem is, if it has one.</summary>
    public int? Line { get; }

    /// <summary>The error for a file that could not be opened: missing, in a missing folder, or not readable.</summary>
    public static InvalidFileException Opening(string path, Exception cause) => new(path, IO.FileSystemError.Reading(cause, path));
}

/// <summary>A parameter whose value is impossible (negative pixel size, box larger than the volume...).</summary>
public sealed class InvalidParameterException : CryoSharpException
{
    /// <summary>Creates the error; the message names the parameter and the rejected value.</summary>
    public InvalidParameterException(string parameter, object? value, string requirement)
        : base($"{parameter} = {Format(value)}: {requirement}")
    {
        Parameter = parameter;
    }

    /// <summary>The name of the parameter, as the user knows it.</summary>
    public string Parameter { get; }

    /// <summary>Throws unless <paramref name="value"/> is a positive, finite number (a pixel size, a voltage...).</summary>
    public static void ThrowIfNotPositive(string parameter, double value)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new InvalidParameterException(parameter, value, "must be a positive number");
        }
    }

    private static string Format(object? value) => value switch
    {
        null => "(none)",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

/// <summary>A native library that CryoSharp needs (FFTW) is not installed.</summary>
public sealed class NativeDependencyException : CryoSharpException
{
    /// <summary>Creates the error; the message says what to install.</summary>
    public NativeDependencyException(string message, Exception? inner = null) : base(message, inner!) { }
}
