using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using MixQ.Tensors.Autograd;
using MixQ.Tensors.Kernels;

namespace MixQ.Tensors;

public static partial class Ops
{
    /// <summary>Below this many output elements per chunk, pooling stays on the calling thread.</summary>
    private const int PoolGrain = 16384;

    /// <summary>
    /// Max pooling over [N, C, H, W] with square windows (stride defaults to the kernel size). The index of each
    /// window's maximum is kept for backward, which routes the gradient to that input only.
    /// </summary>
    public static Tensor MaxPool2d(Tensor input, int kernel, int stride = 0, int padding = 0)
    {
        var (x, geo, planes) = PoolSetup(input, kernel, stride, padding, "maxpool2d");
        int inPlane = geo.Height * geo.Width, outPlane = geo.OutH * geo.OutW;
        var y = Tensor.Uninitialized(input.Dim(0), input.Dim(1), geo.OutH, geo.OutW);
        bool record = Graph.WillRecord(x);
        // The window maxima's positions as ints in a pooled float array, which the graph gives back when it is
        // released: a fresh int array per step (600 KiB for LeNet-5's first pooling) faulted in page by page.
        float[]? argmax = record ? Graph.RentSaved(y.Size) : null;
        float[] xs = x.Storage, ys = y.Storage;
        int xo = x.Offset;
        BatchParallel.For(planes, BatchParallel.ChunksFor(planes, Math.Max(1, PoolGrain / outPlane)), (_, start, end) =>
        {
            for (int p = start; p < end; p++)
            {
                Pool2d.MaxForward(xs.AsSpan(xo + p * inPlane, inPlane), geo, ys.AsSpan(p * outPlane, outPlane),
                    argmax is null ? Span<int>.Empty : MemoryMarshal.Cast<float, int>(argmax.AsSpan(p * outPlane, outPlane)));
            }
        });
        if (!record) return y;
        return Graph.Record("maxpool2d", y, [x], g =>
        {
            var gy = g.Contiguous();
            float[] gs = gy.Storage;
            int gOffset = gy.Offset;
            WriteGrad(x, (dx, dxo) => BatchParallel.For(planes, BatchParallel.ChunksFor(planes, Math.Max(1, PoolGrain / outPlane)), (_, start, end) =>
            {
                for (int p = start; p < end; p++)
                {
                    var plane = dx.AsSpan(dxo + p * inPlane, inPlane);
                    plane.Clear();
                    Pool2d.MaxBackward(gs.AsSpan(gOffset + p * outPlane, outPlane), MemoryMarshal.Cast<float, int>(argmax!.AsSpan(p * outPlane, outPlane)), plane);
                }
            }));
        }, argmax);
    }

    /// <summary>
    /// Average pooling over [N, C, H, W] with square windows (stride defaults to the kernel size). With
    /// <paramref name="countIncludePad"/> (PyTorch's default) padded zeros count in the divisor.
    /// </summary>
    public static Tensor AvgPool2d(Tensor input, int kernel, int stride = 0, int padding = 0, bool countIncludePad = true)
    {
        var (x, geo, planes) = PoolSetup(input, kernel, stride, padding, "avgpool2d");
        int inPlane = geo.Height * geo.Width, outPlane = geo.OutH * geo.OutW;
        var y = Tensor.Uninitialized(input.Dim(0), input.Dim(1), geo.OutH, geo.OutW);
        float[] xs = x.Storage, ys = y.Storage;
        int xo = x.Offset;
        int chunks = BatchParallel.ChunksFor(planes, Math.Max(1, PoolGrain / outPlane));
        BatchParallel.For(planes, chunks, (_, start, end) =>
        {
            for (int p = start; p < end; p++)
                Pool2d.AvgForward(xs.AsSpan(xo + p * inPlane, inPlane), geo, countIncludePad, ys.AsSpan(p * outPlane, outPlane));
        });
        return Graph.Record("avgpool2d", y, [x], g =>
        {
            var gy = g.Contiguous();
            float[] gs = gy.Storage;
            int gOffset = gy.Offset;
            WriteGrad(x, (dx, dxo) => BatchParallel.For(planes, chunks, (_, start, end) =>
            {
                for (int p = start; p < end; p++)
                {
                    var plane = dx.AsSpan(dxo + p * inPlane, inPlane);
                    plane.Clear();
                    Pool2d.AvgBackward(gs.AsSpan(gOffset + p * outPlane, outPlane), geo, countIncludePad, plane);
                }
            }));
        });
    }

    /// <summary>Mean over the spatial axes: [N, C, H, W] -> [N, C] (the classifier head of most CNNs).</summary>
    public static Tensor GlobalAvgPool2d(Tensor input)
    {
        if (input.Rank != 4) throw new ArgumentException($"global average pooling needs [N, C, H, W], got {ShapeUtil.Format(input.Shape)}");
        var x = input.Contiguous();
        int planes = x.Dim(0) * x.Dim(1), plane = x.Dim(2) * x.Dim(3);
        if (plane == 0) throw new ArgumentException($"global average pooling over an empty plane {ShapeUtil.Format(input.Shape)}");
        var y = Tensor.Uninitialized(x.Dim(0), x.Dim(1));
        var xs = x.Span;
        var ys = y.Span;
        for (int p = 0; p < planes; p++) ys[p] = TensorPrimitives.Sum(xs.Slice(p * plane, plane)) / plane;
        return Graph.Record("global_avgpool2d", y, [x], g =>
        {
            var gy = g.Contiguous();
            WriteGrad(x, (dx, dxo) =>
            {
                var gs = gy.Span;
                for (int p = 0; p < planes; p++) dx.AsSpan(dxo + p * plane, plane).Fill(gs[p] / plane);
            });
        });
    }

    private static (Tensor X, Conv2dGeometry Geo, int Planes) PoolSetup(Tensor input, int kernel, int stride, int padding, string op)
    {
        if (input.Rank != 4) throw new ArgumentException($"{op} needs [N, C, H, W], got {ShapeUtil.Format(input.Shape)}");
        if (stride == 0) stride = kernel;
        // Larger padding would allow windows made only of padding, which have no defined value (PyTorch forbids it too).
        if (padding < 0 || 2 * padding > kernel)
            throw new ArgumentException($"{op} padding {padding} must be between 0 and half the kernel size {kernel}");
        var geo = new Conv2dGeometry(1, input.Dim(2), input.Dim(3), kernel, kernel, stride, stride, padding, padding);
        geo.Validate();
        return (input.Contiguous(), geo, input.Dim(0) * input.Dim(1));
    }
}
