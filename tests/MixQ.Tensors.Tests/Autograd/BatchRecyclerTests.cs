using MixQ.Tensors.Autograd;

namespace MixQ.Tensors.Tests.Autograd;

/// <summary>
/// Graph.BatchRecycler: what this thread rents inside a batch window serves the next window, exactly once; nothing
/// rented outside a window or by another thread is touched; the shared pool gets back exactly what the loop took.
/// Runs in the pool's collection (no other test rents from the process-wide pool meanwhile).
/// </summary>
[Collection(nameof(GraphReleaseTests))]
public class BatchRecyclerTests
{
    private const int Big = BufferPool.MinLength * 2;

    private static bool Same(float[] a, float[] b) => ReferenceEquals(a, b);

    [Fact]
    public void AWindowsArraysServeTheNextWindowAndTheSharedPoolGetsBackWhatWasTakenFromIt()
    {
        BufferPool.Clear();
        var shared = new float[Big];
        BufferPool.Return(shared);
        float[] a, b;
        using (var recycler = Graph.BatchRecycler())
        {
            using (recycler.Batch())
            {
                a = Tensor.Uninitialized(Big).Storage;   // the shared pool's array
                b = Tensor.Zeros(Big).Storage;           // a new one
                _ = Tensor.Uninitialized(10);            // below the pool's size: never pooled
            }
            Assert.True(Same(a, shared));
            Assert.Equal(0, BufferPool.PooledFloats);    // kept by the recycler, not handed to the shared pool
            using (recycler.Batch())
            {
                var again = new[] { Tensor.Uninitialized(Big).Storage, Tensor.Uninitialized(Big).Storage };
                Assert.Contains(again, x => Same(x, a));
                Assert.Contains(again, x => Same(x, b));
            }
        }
        Assert.Equal(Big, BufferPool.PooledFloats);      // the shared array came back; the recycler's own went to the GC
        Assert.True(Same(shared, BufferPool.RentUninitialized(Big)));
        BufferPool.Clear();
    }

    [Fact]
    public void RentalsOutsideAWindowAreNotTouched()
    {
        BufferPool.Clear();
        using var recycler = Graph.BatchRecycler();
        var outside = Tensor.Uninitialized(Big).Storage; // e.g. the data loader's reused batch
        float[] inside;
        using (recycler.Batch()) inside = Tensor.Uninitialized(Big).Storage;
        using (recycler.Batch())
        {
            var next = Tensor.Uninitialized(Big).Storage;
            Assert.True(Same(next, inside));
            Assert.False(Same(next, outside));
            Assert.False(Same(Tensor.Uninitialized(Big).Storage, outside));
        }
    }

    [Fact]
    public void AnArrayGivenBackInsideAWindowIsKeptOnce()
    {
        BufferPool.Clear();
        using var recycler = Graph.BatchRecycler();
        float[] a;
        using (recycler.Batch())
        {
            a = Tensor.Uninitialized(Big).Storage;
            BufferPool.Return(a);                        // an op that had nothing to save gives its buffer back at once
            Assert.Equal(0, BufferPool.PooledFloats);
            Assert.True(Same(a, Tensor.Uninitialized(Big).Storage));
        }
        using (recycler.Batch())
        {
            Assert.True(Same(a, Tensor.Uninitialized(Big).Storage));
            Assert.False(Same(a, Tensor.Uninitialized(Big).Storage)); // a second copy would have two owners
        }
    }

    [Fact]
    public void OtherThreadsRentalsAreNotCollected()
    {
        BufferPool.Clear();
        float[]? elsewhere = null;
        using (var recycler = Graph.BatchRecycler())
        {
            using (recycler.Batch())
            {
                var thread = new Thread(() => elsewhere = Tensor.Uninitialized(Big).Storage);
                thread.Start();
                thread.Join();
            }
            using (recycler.Batch()) Assert.False(Same(elsewhere!, Tensor.Uninitialized(Big).Storage));
        }
        Assert.Equal(0, BufferPool.PooledFloats);
    }

    [Fact]
    public void ARecyclerInsideAnOpenOneIsInertAndTheOuterOneCollects()
    {
        BufferPool.Clear();
        using var outer = Graph.BatchRecycler();
        float[] a;
        using (outer.Batch())
        {
            using (var inner = Graph.BatchRecycler())
            using (inner.Batch())
                a = Tensor.Uninitialized(Big).Storage;
            Assert.Equal(0, BufferPool.PooledFloats);
        }
        using (outer.Batch()) Assert.True(Same(a, Tensor.Uninitialized(Big).Storage));
    }

    [Fact]
    public void WindowsDoNotNestAndADisposedRecyclerOpensNone()
    {
        var recycler = Graph.BatchRecycler();
        using (recycler.Batch()) Assert.Throws<InvalidOperationException>(() => recycler.Batch());
        recycler.Dispose();
        recycler.Dispose(); // a second dispose does nothing
        Assert.Throws<ObjectDisposedException>(() => recycler.Batch());
        BufferPool.Clear();
    }
}
