using System.Reflection;
using System.Runtime.Loader;

namespace CryoSharp.Cli;

/// <summary>
/// Loads CryoSharp.Learning (TorchSharp and libtorch, about 480 MB) only for the commands that need it, so that the rest
/// of the program neither loads nor ships it. The component is a folder holding CryoSharp.Learning.dll with its
/// dependencies: $CRYOSHARP_LEARNING when set, else the "learning" folder beside the program's (artifacts/learning for
/// ./cryosharp, which builds it on first use). It is loaded into its own load context that shares the program's own
/// assemblies (CryoSharp, so that the interfaces match) and resolves the rest, native libraries included, in its folder.
/// </summary>
public static class LearningComponent
{
    private const string AssemblyFile = "CryoSharp.Learning.dll";
    private static readonly Lock Gate = new();
    private static Assembly? loaded;

    /// <summary>The environment variable naming the component's folder.</summary>
    public const string EnvironmentVariable = "CRYOSHARP_LEARNING";

    /// <summary>The folder searched for the component.</summary>
    public static string Folder =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } folder
            ? Path.GetFullPath(folder)
            : Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "learning"));

    /// <summary>A new instance of <paramref name="typeName"/> from the component, as <typeparamref name="T"/>; one line when the component is missing.</summary>
    public static T Create<T>(string command, string typeName)
        where T : class
    {
        var assembly = Load(command);
        var type = assembly.GetType(typeName) ?? throw new InvalidFileException(assembly.Location, $"has no {typeName}: rebuild the learning component");
        return Activator.CreateInstance(type) as T ?? throw new InvalidFileException(assembly.Location, $"{typeName} is not a {typeof(T).Name}");
    }

    private static Assembly Load(string command)
    {
        lock (Gate)
        {
            if (loaded is not null)
            {
                return loaded;
            }

            string path = Path.Combine(Folder, AssemblyFile);
            if (!File.Exists(path))
            {
                throw new CryoSharpException(
                    $"{command} needs the learning component (TorchSharp), not found in {Folder}: build it with 'dotnet build src/CryoSharp.Learning -c Release -o artifacts/learning' (./cryosharp does this itself), or set {EnvironmentVariable}");
            }

            var context = new ComponentContext(path);
            loaded = context.LoadFromAssemblyPath(path);
            return loaded;
        }
    }

    private sealed class ComponentContext(string path) : AssemblyLoadContext("CryoSharp.Learning")
    {
        private readonly AssemblyDependencyResolver resolver = new(path);
        private readonly string folder = Path.GetDirectoryName(path)!;

        protected override Assembly? Load(AssemblyName name)
        {
            // The program's own assemblies (CryoSharp above all) come from the default context: one copy of each type.
            if (File.Exists(Path.Combine(AppContext.BaseDirectory, name.Name + ".dll")))
            {
                return null;
            }

            string? file = resolver.ResolveAssemblyToPath(name);
            return file is null ? null : LoadFromAssemblyPath(file);
        }

        protected override nint LoadUnmanagedDll(string name)
        {
            string? file = resolver.ResolveUnmanagedDllToPath(name);
            if (file is null)
            {
                foreach (string candidate in new[] { name, "lib" + name + ".so", name + ".so" })
                {
                    string local = Path.Combine(folder, candidate);
                    if (File.Exists(local))
                    {
                        file = local;
                        break;
                    }
                }
            }

            return file is null ? nint.Zero : LoadUnmanagedDllFromPath(file);
        }
    }
}
