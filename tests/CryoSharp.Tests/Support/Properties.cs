using FsCheck;
using Microsoft.FSharp.Core;

namespace CryoSharp.Tests.Support;

/// <summary>Runs FsCheck properties with a fixed seed, so a failure is reproducible.</summary>
public static class Properties
{
    /// <summary>Checks <paramref name="property"/> on <paramref name="count"/> seeded cases; throws on failure.</summary>
    public static void Check(Property property, int count = 200, ulong seed = 20261121)
    {
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(count)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed), FSharpOption<int>.None)));
        FsCheck.Check.One(config, property);
    }
}
