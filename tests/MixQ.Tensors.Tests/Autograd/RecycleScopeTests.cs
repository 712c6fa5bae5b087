using MixQ.Tensors.Autograd;

namespace MixQ.Tensors.Tests.Autograd;

/// <summary>
/// Graph.RecycleScope: what this thread rents while a scope is open goes back to the pool exactly once when it is
/// disposed; nothing rented before it, by another thread, or already given back is returned again.
/// Runs in the pool's collection (no other test rents from the process-wide pool meanwhile).
/// </summary>
[Collection(nameof(GraphReleaseTests))]
public class RecycleScopeTests
{
    private const int Big = BufferPool.MinLength * 2;

    [Fact]
    public void PooledArraysRentedInsideComeBackOnDisposeAndNothingElse()
    {
        BufferPool.Clear();
        var before = Tensor.Uninitialized(Big);
        float[] a, b;
        using (Graph.RecycleScope())
        {
            a = Tensor.Uninitialized(Big).Storage;
            b = Tensor.Zeros(Big).Storage;
            _ = Tensor.Uninitialized(10); // below the pool's size: a plain allocation, never pooled
            Assert.Equal(0, BufferPool.PooledFloats);
        }
        Assert.Equal(2L * Big, BufferPool.PooledFloats);
        var again = new[] { BufferPool.RentUninitialized(Big), BufferPool.RentUninitialized(Big) };
        Assert.Contains(again, x => ReferenceEquals(x, a));
        Assert.Contains(again, x => ReferenceEquals(x, b));
        Assert.DoesNotContain(again, x => ReferenceEquals(x, before.Storage));
        BufferPool.Clear();
    }

    [Fact]
    public void AnArrayGivenBackInsideIsNotGivenBackTwice()
    {
        BufferPool.Clear();
        float[] a;
        using (Graph.RecycleScope())
        {
            a = Tensor.Uninitialized(Big).Storage;
            BufferPool.Return(a);
        }
        Assert.Equal(Big, BufferPool.PooledFloats);
        Assert.Same(a, BufferPool.RentUninitialized(Big));
        Assert.NotSame(a, BufferPool.RentUninitialized(Big)); // a second copy in the pool would have two owners
        BufferPool.Clear();
    }

    [Fact]
    public void NestedScopesGiveEachArrayBackOnce()
    {
        BufferPool.Clear();
        var outer = Graph.RecycleScope();
        var a = Tensor.Uninitialized(Big).Storage;
        float[] reused;
        using (Graph.RecycleScope())
        {
            BufferPool.Return(a);                       // dead already: the outer scope must forget it
            reused = Tensor.Uninitialized(Big).Storage; // the same array, now the inner scope's
            Assert.Same(a, reused);
        }
        Assert.Equal(Big, BufferPool.PooledFloats);
        outer.Dispose();
        Assert.Equal(Big, BufferPool.PooledFloats);
        BufferPool.Clear();
    }

    [Fact]
    public void OtherThreadsRentalsAreNotCollected()
    {
        BufferPool.Clear();
        using (Graph.RecycleScope())
        {
            Tensor? elsewhere = null;
            var thread = new Thread(() => elsewhere = Tensor.Uninitialized(Big));
            thread.Start();
            thread.Join();
            Assert.Equal(Big, elsewhere!.Size);
        }
        Assert.Equal(0, BufferPool.PooledFloats);
    }

    [Fact]
    public void ScopesCloseInnermostFirst()
    {
        var outer = Graph.RecycleScope();
        var inner = Graph.RecycleScope();
        Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        inner.Dispose();
        outer.Dispose();
        outer.Dispose(); // a second dispose does nothing
        BufferPool.Clear();
    }
}
