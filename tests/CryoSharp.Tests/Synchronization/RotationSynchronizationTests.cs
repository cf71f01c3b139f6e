using CryoSharp.Geometry;
using CryoSharp.Numerics;
using CryoSharp.Synchronization;
using MathNet.Numerics.LinearAlgebra;

namespace CryoSharp.Tests.Synchronization;

public class RotationSynchronizationTests
{
    [Theory]
    [InlineData(1.0)]
    [InlineData(0.3)]
    public void CleanMeasurementsAreRecoveredExactly(double edgeProbability)
    {
        var problem = RotationSynchronizationProblem.Corruption(120, 1, new SeedSequence(7), edgeProbability);
        var estimate = RotationSynchronization.Spectral(problem.Measurements);
        var alignment = problem.Align(estimate);
        Assert.True(alignment.MeanErrorRad < 1e-6, $"mean error {alignment.MeanErrorRad} rad");
        Assert.Equal(1, problem.Correlation(estimate), 10);
        foreach (var r in estimate)
        {
            Assert.Equal(1, r.Determinant, 10);
        }
    }

    [Fact]
    public void MultiFrequencyRecoversCleanMeasurementsToTheGridsPrecision()
    {
        var problem = RotationSynchronizationProblem.Corruption(60, 1, new SeedSequence(8));
        var alignment = problem.Align(RotationSynchronization.MultiFrequency(problem.Measurements, 3));
        Assert.True(alignment.MeanErrorRad * 180 / Math.PI < 1, $"mean error {alignment.MeanErrorRad * 180 / Math.PI:F2}°");
    }

    [Fact]
    public void HigherDegreesBeatTheSpectralMethodNearTheThreshold()
    {
        // Corruption model, n = 100, λ = 2 (r = 0.2), mean of 2: spectral 21.5° against 3.4° with ℓ_max = 3
        // (the sweep in the note has the full curves).
        const int n = 100;
        double spectral = 0, multi = 0;
        for (int t = 0; t < 2; t++)
        {
            var problem = RotationSynchronizationProblem.Corruption(n, 2 / Math.Sqrt(n), new SeedSequence(40 + t));
            spectral += problem.Align(RotationSynchronization.Spectral(problem.Measurements)).MeanErrorRad / 2;
            multi += problem.Align(RotationSynchronization.MultiFrequency(problem.Measurements, 3)).MeanErrorRad / 2;
        }

        double toDegrees = 180 / Math.PI;
        Assert.True(spectral * toDegrees > 12, $"spectral {spectral * toDegrees:F1}°");
        Assert.True(multi * toDegrees < 6, $"ℓ_max = 3: {multi * toDegrees:F1}°");
    }

    [Fact]
    public void PerturbationModelErrorsScaleWithTheNoise()
    {
        // Small perturbations of σ = 5°: the spectral estimate averages n − 1 of them, so its error is far below σ.
        var problem = RotationSynchronizationProblem.Perturbation(150, 5 * Math.PI / 180, new SeedSequence(9));
        var alignment = problem.Align(RotationSynchronization.Spectral(problem.Measurements));
        Assert.InRange(alignment.MeanErrorRad * 180 / Math.PI, 0.05, 1.5);
    }

    [Fact]
    public void RelativeRotationsAreStoredOncePerPair()
    {
        var store = new RelativeRotations(4);
        var r = Rotations.RandomUniform(1, new SeedSequence(2))[0].ToMatrix();
        store.Set(3, 1, r);
        Assert.True(store.IsObserved(1, 3));
        Assert.False(store.IsObserved(0, 2));
        Assert.Equal(r.Transpose(), store[1, 3]);
        Assert.Equal(r, store[3, 1]);
        Assert.Equal(1, store.ObservedPairs);
        Assert.Equal(Matrix3.Identity, store[2, 2]);
    }

    [Fact]
    public void NearestRotationIsProperAndExactOnRotations()
    {
        var r = Rotations.RandomUniform(1, new SeedSequence(3))[0].ToMatrix();
        var m = Matrix<double>.Build.DenseOfArray(r.ToArray());
        Assert.True(r.DistanceFrobenius(RotationSynchronization.NearestRotation(m)) < 1e-12);
        var reflection = m * Matrix<double>.Build.DenseOfDiagonalArray([1.0, 1.0, -1.0]);
        Assert.Equal(1, RotationSynchronization.NearestRotation(reflection).Determinant, 12);
    }

    [Fact]
    public void ImpossibleParametersAreRejected()
    {
        Assert.Throws<InvalidParameterException>(() => RotationSynchronizationProblem.Corruption(10, 1.5, new SeedSequence(1)));
        Assert.Throws<InvalidParameterException>(() => RotationSynchronizationProblem.Corruption(10, 0.5, new SeedSequence(1), 0));
        Assert.Throws<InvalidParameterException>(() => RotationSynchronizationProblem.Perturbation(10, -1, new SeedSequence(1)));
        Assert.Throws<InvalidParameterException>(() => RotationSynchronization.MultiFrequency(new RelativeRotations(3), 0));
    }
}
