namespace MixQ.Tensors.Tests;

public class MatMulOpsTests
{
    private const int M = 3, K = 4, N = 5, B = 2;

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void MatMul2D(bool transA, bool transB)
    {
        var rng = new Random(1);
        var a = GradCheck.Input(rng, transA ? [K, M] : [M, K]);
        var b = GradCheck.Input(rng, transB ? [N, K] : [K, N]);
        var output = GradCheck.Run(t => Ops.MatMul(t[0], t[1], transA, transB),
            d => Product(d[0], d[1], transA, transB), a, b);
        Assert.Equal([M, N], output.ShapeArray());
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void BatchedMatMul(bool transA, bool transB)
    {
        var rng = new Random(2);
        var a = GradCheck.Input(rng, transA ? [B, K, M] : [B, M, K]);
        var b = GradCheck.Input(rng, transB ? [B, N, K] : [B, K, N]);
        var output = GradCheck.Run(t => Ops.MatMul(t[0], t[1], transA, transB), d =>
            {
                var c = new List<double>();
                for (int i = 0; i < B; i++)
                    c.AddRange(Product(d[0][(i * M * K)..((i + 1) * M * K)], d[1][(i * K * N)..((i + 1) * K * N)], transA, transB));
                return [.. c];
            }, a, b);
        Assert.Equal([B, M, N], output.ShapeArray());
    }

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, false, false)] // transposed batches cannot be flattened: the per-batch loop
    [InlineData(false, true, false)]
    [InlineData(true, true, false)]
    [InlineData(false, false, true)] // right operand [1, K, N] counts as shared
    [InlineData(true, false, true)]
    public void BatchedMatMulWithSharedRightOperand(bool transA, bool transB, bool batchOfOne)
    {
        var rng = new Random(3);
        var a = GradCheck.Input(rng, transA ? [B, K, M] : [B, M, K]);
        int[] bShape = transB ? [N, K] : [K, N];
        var b = GradCheck.Input(rng, batchOfOne ? [1, .. bShape] : bShape);
        var output = GradCheck.Run(t => Ops.MatMul(t[0], t[1], transA, transB), d =>
            {
                var c = new List<double>();
                for (int i = 0; i < B; i++) c.AddRange(Product(d[0][(i * M * K)..((i + 1) * M * K)], d[1], transA, transB));
                return [.. c];
            }, a, b);
        Assert.Equal([B, M, N], output.ShapeArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Linear(bool withBias)
    {
        var rng = new Random(4);
        var x = GradCheck.Input(rng, M, K);
        var w = GradCheck.Input(rng, N, K);
        var b = GradCheck.Input(rng, N);
        Tensor[] inputs = withBias ? [x, w, b] : [x, w];
        var output = GradCheck.Run(t => Ops.Linear(t[0], t[1], withBias ? t[2] : null),
            d => LinearReference(d[0], d[1], withBias ? d[2] : null, M), inputs);
        Assert.Equal([M, N], output.ShapeArray());
    }

    [Fact]
    public void LinearFlattensLeadingAxes()
    {
        var rng = new Random(5);
        var x = GradCheck.Input(rng, 2, 3, K);
        var w = GradCheck.Input(rng, N, K);
        var b = GradCheck.Input(rng, N);
        var output = GradCheck.Run(t => Ops.Linear(t[0], t[1], t[2]), d => LinearReference(d[0], d[1], d[2], 6), x, w, b);
        Assert.Equal([2, 3, N], output.ShapeArray());
    }

    [Fact]
    public void LinearWithFrozenWeightsOnlyDifferentiatesInput()
    {
        var rng = new Random(6);
        var x = GradCheck.Input(rng, M, K);
        var w = Tensor.RandN(rng, 1f, N, K);
        var b = Tensor.RandN(rng, 1f, N);
        GradCheck.Run(t => Ops.Linear(t[0], t[1], t[2]), d => LinearReference(d[0], d[1], d[2], M), x, w, b);
        Assert.Null(w.Grad);
        Assert.Null(b.Grad);
    }

    [Fact]
    public void MismatchedShapesThrow()
    {
        Assert.Throws<ArgumentException>(() => Ops.MatMul(Tensor.Zeros(2, 3), Tensor.Zeros(4, 5)));
        Assert.Throws<ArgumentException>(() => Ops.MatMul(Tensor.Zeros(2, 2, 3), Tensor.Zeros(3, 3, 4)));
        Assert.Throws<ArgumentException>(() => Ops.MatMul(Tensor.Zeros(3), Tensor.Zeros(3, 4)));
        Assert.Throws<ArgumentException>(() => Ops.Linear(Tensor.Zeros(2, 3), Tensor.Zeros(4, 5)));
        Assert.Throws<ArgumentException>(() => Ops.Linear(Tensor.Zeros(2, 3), Tensor.Zeros(4, 3), Tensor.Zeros(3)));
    }

    /// <summary>op(a) op(b) for one [M, N] product, transposing explicitly first.</summary>
    private static double[] Product(double[] a, double[] b, bool transA, bool transB)
    {
        var opA = transA ? Reference.Transpose(a, K, M) : a;
        var opB = transB ? Reference.Transpose(b, N, K) : b;
        return Reference.MatMul(opA, opB, M, K, N);
    }

    private static double[] LinearReference(double[] x, double[] w, double[]? bias, int rows)
    {
        var y = new double[rows * N];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < N; o++)
            {
                double s = bias?[o] ?? 0;
                for (int i = 0; i < K; i++) s += x[r * K + i] * w[o * K + i];
                y[r * N + o] = s;
            }
        return y;
    }

    [Fact]
    public void LinearGradientsAttachedFreshEqualThoseAddedToZeros()
    {
        // A fresh gradient is overwritten by the GEMM (beta 0); an existing one is added to (beta 1). Same bits.
        var rng = new Random(5);
        var x = Tensor.RandN(rng, 1f, 33, 70);
        var w = Tensor.RandN(rng, 0.2f, 19, 70);
        var g = Tensor.RandN(rng, 1f, 33, 19);
        float[] Run(bool preset, out float[] dw, out float[] y)
        {
            var xi = Tensor.FromArray(x.ToArray(), 33, 70);
            var wi = Tensor.FromArray(w.ToArray(), 19, 70);
            xi.RequiresGrad = wi.RequiresGrad = true;
            if (preset)
            {
                xi.Grad = Tensor.Zeros(33, 70);
                wi.Grad = Tensor.Zeros(19, 70);
            }
            var out_ = Ops.Linear(xi, wi);
            y = out_.ToArray();
            out_.Backward(g);
            dw = wi.Grad!.ToArray();
            return xi.Grad!.ToArray();
        }
        var dxFresh = Run(false, out var dwFresh, out var yFresh);
        var dxAdded = Run(true, out var dwAdded, out var yAdded);
        Assert.Equal(dxAdded, dxFresh);
        Assert.Equal(dwAdded, dwFresh);
        Assert.Equal(yAdded, yFresh);
        // Against an independent dot product (loose: a different summation order).
        for (int n = 0; n < 33; n++)
            for (int o = 0; o < 19; o++)
            {
                double dot = 0;
                for (int k = 0; k < 70; k++) dot += (double)x.ToArray()[n * 70 + k] * w.ToArray()[o * 70 + k];
                Assert.Equal(dot, yFresh[n * 19 + o], 3);
            }
    }
}
