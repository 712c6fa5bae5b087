using MixQ.Tensors.Autograd;

namespace MixQ.Tensors.Tests.Autograd;

/// <summary>
/// Graph.Release and backward's gradient recycling: storage goes back to the pool only when nothing can reach it,
/// leaves keep theirs, and results do not change.
/// The pool is process-wide, so these tests run alone (no other test rents from it meanwhile).
/// </summary>
[CollectionDefinition(nameof(GraphReleaseTests), DisableParallelization = true)]
[Collection(nameof(GraphReleaseTests))]
public class GraphReleaseTests
{
    private const int Big = BufferPool.MinLength * 2;

    /// <summary>An identity op whose backward hands its gradient over to the input (or copies when it cannot).</summary>
    private static Tensor PassThrough(Tensor x, List<bool> handedOver)
    {
        var y = Tensor.FromArray(x.ToArray(), x.ShapeArray());
        return Graph.Record("pass", y, [x], g =>
        {
            bool done = Graph.TryHandOver(g, x);
            handedOver.Add(done);
            if (!done)
            {
                var gx = g.ToArray();
                if (x.Grad is null) x.Grad = Tensor.FromArray(gx, x.ShapeArray());
                else for (int i = 0; i < gx.Length; i++) x.Grad.Span[i] += gx[i];
            }
        });
    }

    [Fact]
    public void AFirstGradientIsACopyInAPooledArray()
    {
        BufferPool.Clear();
        var pooled = new float[Big];
        BufferPool.Return(pooled);
        var rng = new Random(5);
        var x = GradCheck.Input(rng, Big);
        var g = GradCheck.Input(rng, Big).ToArray();

        x.AccumulateGrad(g);
        Assert.Same(pooled, x.Grad!.Storage);
        Assert.Equal(g, x.Grad.ToArray());
        g[0] += 1f;                                    // a copy: the caller's span stays the caller's
        Assert.NotEqual(g[0], x.Grad.Span[0]);

        x.AccumulateGrad(g);                           // the second adds in place
        Assert.Same(pooled, x.Grad.Storage);
        Assert.Equal(2 * g[1], x.Grad.Span[1]);
        BufferPool.Clear();
    }

    [Fact]
    public void MaxPoolingKeepsItsWindowPositionsUntilReleaseThenReturnsThem()
    {
        BufferPool.Clear();
        var rng = new Random(11);
        var x = GradCheck.Input(rng, 16, 4, 32, 32);   // 16 x 4 x 16 x 16 outputs: a pooled size
        int outputs = 16 * 4 * 16 * 16;
        var y = Ops.MaxPool2d(x, 2);
        var weights = GradCheck.Input(rng, 16, 4, 16, 16);
        var loss = Ops.Sum(Ops.Mul(y, weights));
        loss.Backward();
        var first = x.Grad!.ToArray();

        // The reference: each window's weight lands on its maximum (the first one in row-major order).
        var xs = x.ToArray();
        var expected = new float[xs.Length];
        var w = weights.ToArray();
        for (int plane = 0; plane < 64; plane++)
            for (int oh = 0; oh < 16; oh++)
                for (int ow = 0; ow < 16; ow++)
                {
                    int best = plane * 1024 + 2 * oh * 32 + 2 * ow;
                    foreach (int d in new[] { 1, 32, 33 })
                        if (xs[plane * 1024 + 2 * oh * 32 + 2 * ow + d] > xs[best]) best = plane * 1024 + 2 * oh * 32 + 2 * ow + d;
                    expected[best] += w[(plane * 16 + oh) * 16 + ow];
                }
        Assert.Equal(expected, first);

        // Until the graph is released the positions stay put: renting everything of that size meanwhile (and
        // scribbling on it) does not disturb a second backward over the same graph.
        var taken = Enumerable.Range(0, 8).Select(_ => BufferPool.RentUninitialized(outputs)).ToList();
        foreach (var a in taken) a.AsSpan().Fill(float.NaN);
        x.Grad = null;
        loss.Backward();
        Assert.Equal(first, x.Grad!.ToArray());

        // Release gives the positions' buffer back with the graph's two pooled-size tensors (the pooling's and the
        // product's outputs; the scalar loss is too small to pool).
        long before = BufferPool.PooledFloats;
        Graph.Release(loss);
        Assert.Equal(3L * outputs, BufferPool.PooledFloats - before);
        BufferPool.Clear();
    }

    [Fact]
    public void AHandedOverGradientBecomesTheInputsAndIsNeverRecycled()
    {
        BufferPool.Clear();
        var rng = new Random(3);
        var x = GradCheck.Input(rng, Big);
        var weights = GradCheck.Input(rng, Big);
        var log = new List<bool>();
        var loss = Ops.Sum(Ops.Mul(PassThrough(x, log), weights));
        loss.Backward();
        Assert.Equal([true], log);
        Assert.Equal(weights.ToArray(), x.Grad!.ToArray());   // d/dx sum(x * w) = w
        Graph.Release(loss);
        var taken = new List<float[]>();
        for (int i = 0; i < 64; i++) taken.Add(BufferPool.RentUninitialized(Big));
        Assert.DoesNotContain(taken, a => ReferenceEquals(a, x.Grad.Storage));
        foreach (var a in taken) a.AsSpan().Fill(float.NaN);
        Assert.Equal(weights.ToArray(), x.Grad.ToArray());

        // A second backward finds x's gradient taken: no hand-over, the contribution is added.
        log.Clear();
        var loss2 = Ops.Sum(Ops.Mul(PassThrough(x, log), weights));
        loss2.Backward();
        Assert.Equal([false], log);
        Assert.Equal(weights.ToArray().Select(v => v + v).ToArray(), x.Grad.ToArray());
    }

    [Fact]
    public void ReleaseReturnsIntermediateStorageButNeverALeafs()
    {
        BufferPool.Clear();
        var w = GradCheck.Input(new Random(1), Big);
        var wView = w.Reshape(2, Big / 2);            // an intermediate that shares the parameter's storage
        var h = Ops.Relu(wView);                      // an intermediate with storage of its own
        var loss = Ops.Sum(h);
        var hStorage = h.Storage;
        loss.Backward();
        var before = w.ToArray();
        Graph.Release(loss);

        Assert.True(w.IsLeaf);
        Assert.NotNull(w.Grad);                       // leaves keep their gradients
        Assert.True(h.IsLeaf);                        // nodes are forgotten
        // The parameter's storage is not handed out again: take every pooled array of its size and check.
        var taken = new List<float[]>();
        for (int i = 0; i < 64; i++) taken.Add(BufferPool.RentUninitialized(Big));
        Assert.DoesNotContain(taken, a => ReferenceEquals(a, w.Storage));
        Assert.Contains(taken, a => ReferenceEquals(a, hStorage));
        foreach (var a in taken) a.AsSpan().Fill(float.NaN);   // scribble over whatever came out of the pool
        Assert.Equal(before, w.ToArray());
    }

    [Fact]
    public void BackwardRecyclesIntermediateGradientsWithoutChangingResults()
    {
        // The same computation twice, with the pool full of scribbled arrays of the right size the second time:
        // gradients must be identical, so no recycled array leaks stale contents into a result.
        float[] Run()
        {
            var x = Tensor.FromArray(Enumerable.Range(0, Big).Select(i => MathF.Sin(i * 0.37f)).ToArray(), Big);
            x.RequiresGrad = true;
            var y = Ops.Mul(Ops.Relu(x), Ops.Exp(Ops.Mul(x, x)));
            var loss = Ops.Sum(Ops.Add(y, Ops.Relu(y)));
            loss.Backward();
            Graph.Release(loss);
            return x.Grad!.ToArray();
        }
        var first = Run();
        for (int i = 0; i < 8; i++)
        {
            var junk = BufferPool.RentUninitialized(Big);
            junk.AsSpan().Fill(12345f);
            BufferPool.Return(junk);
        }
        Assert.Equal(first, Run());
    }

    [Fact]
    public void ZerosFromThePoolAreZero()
    {
        var junk = BufferPool.RentUninitialized(Big);
        junk.AsSpan().Fill(7f);
        BufferPool.Return(junk);
        var z = Tensor.Zeros(Big);
        Assert.All(z.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void PoolIsBounded()
    {
        // Returning more than the cap leaves at most the cap waiting.
        int quarter = (int)(BufferPool.MaxPooledFloats / 4);
        BufferPool.Clear();
        for (int i = 0; i < 5; i++) BufferPool.Return(new float[quarter]);
        Assert.Equal(4L * quarter, BufferPool.PooledFloats);   // the fifth did not fit
        BufferPool.Clear();
        Assert.Equal(0L, BufferPool.PooledFloats);
    }
}
