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
