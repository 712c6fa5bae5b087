using MixQ.Tensors.Kernels;

namespace MixQ.Tensors.Tests;

/// <summary>Broadcast.Apply / SumToAccumulate / Expand against the naive multi-index reference on random shapes.</summary>
public class BroadcastKernelTests
{
    private const int Cases = 300;

    [Fact]
    public void ApplyMatchesReferenceOnRandomShapes()
    {
        var rng = new Random(1);
        for (int c = 0; c < Cases; c++)
        {
            var (_, aShape, bShape) = RandomShapes(rng);
            var outShape = Reference.BroadcastShape(aShape, bShape);
            var a = Values(rng, aShape);
            var b = Values(rng, bShape, awayFromZero: true);
            var d = new float[Reference.Size(outShape)];
            // Subtract and divide are not symmetric, so swapped operands or scalar sides would show.
            Broadcast.Apply<SubtractKernel>(a, aShape, b, bShape, d, outShape);
            AssertClose(Reference.Broadcast(D(a), aShape, D(b), bShape, (p, q) => p - q), d, Describe(aShape, bShape));
            Broadcast.Apply<DivideKernel>(a, aShape, b, bShape, d, outShape);
            AssertClose(Reference.Broadcast(D(a), aShape, D(b), bShape, (p, q) => p / q), d, Describe(aShape, bShape));
        }
    }

    [Fact]
    public void ApplyInPlaceOverTheFullSizeOperand()
    {
        var rng = new Random(2);
        for (int c = 0; c < Cases; c++)
        {
            var (outShape, _, bShape) = RandomShapes(rng);
            var a = Values(rng, outShape);
            var b = Values(rng, bShape);
            var expected = Reference.Broadcast(D(a), outShape, D(b), bShape, (p, q) => p * q);
            Broadcast.Apply<MultiplyKernel>(a, outShape, b, bShape, a, outShape);
            AssertClose(expected, a, Describe(outShape, bShape));
        }
    }

    [Fact]
    public void SumToAccumulateMatchesReference()
    {
        var rng = new Random(3);
        for (int c = 0; c < Cases; c++)
        {
            var (shape, small, _) = RandomShapes(rng);
            var source = Values(rng, shape);
            var destination = Values(rng, small); // accumulates onto existing values
            var expected = D(destination);
            for (int i = 0; i < source.Length; i++)
                expected[Reference.BroadcastIndex(Reference.Unravel(i, shape), small)] += source[i];
            Broadcast.SumToAccumulate(source, shape, destination, small);
            AssertClose(expected, destination, Describe(shape, small));
        }
    }

    [Fact]
    public void ExpandMatchesReference()
    {
        var rng = new Random(4);
        for (int c = 0; c < Cases; c++)
        {
            var (shape, small, _) = RandomShapes(rng);
            var source = Values(rng, small);
            var destination = new float[Reference.Size(shape)];
            Broadcast.Expand(source, small, destination, shape);
            AssertClose(Reference.Broadcast(new double[destination.Length], shape, D(source), small, (_, v) => v), destination,
                Describe(small, shape));
        }
    }

    [Fact]
    public void RejectsIncompatibleShapes()
    {
        Assert.Throws<ArgumentException>(() =>
            Broadcast.Apply<AddKernel>(new float[6], [2, 3], new float[2], [2], new float[6], [2, 3]));
        Assert.Throws<ArgumentException>(() => // a larger output than broadcast(a, b) is not accepted
            Broadcast.Apply<AddKernel>(new float[3], [3], new float[3], [3], new float[6], [2, 3]));
        Assert.Throws<ArgumentException>(() => Broadcast.SumToAccumulate(new float[6], [2, 3], new float[6], [3, 2]));
        Assert.Throws<ArgumentException>(() => Broadcast.Expand(new float[3], [3], new float[6], [3, 2]));
        Assert.Throws<ArgumentException>(() => Broadcast.Expand(new float[3], [3], new float[5], [2, 3]));
    }

    [Fact]
    public void PlanCollapsesRowAndChannelBroadcasts()
    {
        var row = BroadcastPlan.Create([8, 5], [8, 5], [5]);
        Assert.Equal([8, 5], row.Dims);
        Assert.Equal([0, 1], row.StridesB);

        var channel = BroadcastPlan.Create([2, 3, 4, 5], [2, 3, 4, 5], [1, 3, 1, 1]);
        Assert.Equal([2, 3, 20], channel.Dims);
        Assert.Equal([0, 1, 0], channel.StridesB);
        Assert.Equal([60, 20, 1], channel.StridesA);

        var same = BroadcastPlan.Create([2, 3, 4], [2, 3, 4], [1, 3, 4]);
        Assert.Equal([2, 12], same.Dims); // trailing axes merge into one run
    }

    /// <summary>An output shape (rank 0..4, sizes 0..4) and two operand shapes that broadcast to it.</summary>
    private static (int[] Out, int[] A, int[] B) RandomShapes(Random rng)
    {
        int rank = rng.Next(5);
        var outShape = new int[rank];
        for (int d = 0; d < rank; d++) outShape[d] = rng.Next(20) == 0 ? 0 : rng.Next(1, 5);
        return (outShape, Operand(rng, outShape), Operand(rng, outShape));
    }

    private static int[] Operand(Random rng, int[] outShape)
    {
        int drop = rng.Next(outShape.Length + 1);
        return outShape.Skip(drop).Select(n => rng.Next(3) == 0 ? 1 : n).ToArray();
    }

    private static float[] Values(Random rng, int[] shape, bool awayFromZero = false)
    {
        var v = new float[Reference.Size(shape)];
        for (int i = 0; i < v.Length; i++)
        {
            float x = (float)(rng.NextDouble() * 2 - 1);
            v[i] = awayFromZero ? MathF.CopySign(0.5f + MathF.Abs(x), x) : x;
        }
        return v;
    }

    private static double[] D(float[] x) => x.Select(v => (double)v).ToArray();

    private static string Describe(int[] a, int[] b) => $"{ShapeUtil.Format(a)} with {ShapeUtil.Format(b)}";

    private static void AssertClose(double[] expected, float[] actual, string context)
    {
        Assert.True(expected.Length == actual.Length, $"length {actual.Length} vs {expected.Length} for {context}");
        for (int i = 0; i < actual.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 * (1 + Math.Abs(expected[i])),
                $"element {i}: {actual[i]} vs {expected[i]} for {context}");
    }
}
