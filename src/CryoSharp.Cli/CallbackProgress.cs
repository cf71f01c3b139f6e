namespace CryoSharp.Cli;

/// <summary>Progress reported on the caller's thread, straight to an action (Progress&lt;T&gt; would post it elsewhere, later).</summary>
public sealed class CallbackProgress<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc/>
    public void Report(T value) => report(value);
}
