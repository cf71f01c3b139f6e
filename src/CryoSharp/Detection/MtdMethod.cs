namespace CryoSharp.Detection;

/// <summary>The MTD estimators.</summary>
public enum MtdMethod
{
    /// <summary>Least squares on the first three autocorrelations.</summary>
    Autocorrelation,

    /// <summary>The approximate expectation–maximisation over patches.</summary>
    Em,
}
