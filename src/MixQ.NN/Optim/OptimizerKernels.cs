using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MixQ.Tensors.Kernels;

namespace MixQ.NN.Optim;

/// <summary>
/// Fused element-wise update kernels: one pass over parameter, gradient and state instead of the four to six
/// passes that composing TensorPrimitives calls would take (the update is memory bound).
/// Each vector kernel has a scalar twin that performs the same IEEE operations in the same order (no FMA
/// contraction), so the two agree bit for bit; the twin also handles the tail that does not fill a vector.
/// </summary>
internal static class OptimizerKernels
{
    /// <summary>
    /// SGD with momentum, PyTorch semantics (coupled weight decay):
    /// d = g + wd·p;  buf = μ·buf + s·d;  step = nesterov ? d + μ·buf : buf;  p = p − lr·step.
    /// The caller passes s = 1 − dampening, or s = 1 on a parameter's first step where buf is still zero,
    /// which gives PyTorch's buf = d initialisation without a branch.
    /// </summary>
    public static void SgdMomentum(Span<float> p, ReadOnlySpan<float> g, Span<float> buf,
        float lr, float wd, float momentum, float gradScale, bool nesterov)
    {
        CheckLengths(p.Length, g.Length, buf.Length, buf.Length);
        ref float rp = ref MemoryMarshal.GetReference(p);
        ref float rg = ref MemoryMarshal.GetReference(g);
        ref float rb = ref MemoryMarshal.GetReference(buf);
        nuint n = (nuint)p.Length, i = 0;

        if (Vector512.IsHardwareAccelerated)
        {
            var vlr = Vector512.Create(lr);
            var vwd = Vector512.Create(wd);
            var vmu = Vector512.Create(momentum);
            var vs = Vector512.Create(gradScale);
            for (; i + (nuint)Vector512<float>.Count <= n; i += (nuint)Vector512<float>.Count)
            {
                var vp = Vector512.LoadUnsafe(ref rp, i);
                var d = Vector512.LoadUnsafe(ref rg, i) + vwd * vp;
                var b = vmu * Vector512.LoadUnsafe(ref rb, i) + vs * d;
                var step = nesterov ? d + vmu * b : b;
                b.StoreUnsafe(ref rb, i);
                (vp - vlr * step).StoreUnsafe(ref rp, i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var vlr = Vector256.Create(lr);
            var vwd = Vector256.Create(wd);
            var vmu = Vector256.Create(momentum);
            var vs = Vector256.Create(gradScale);
            for (; i + (nuint)Vector256<float>.Count <= n; i += (nuint)Vector256<float>.Count)
            {
                var vp = Vector256.LoadUnsafe(ref rp, i);
                var d = Vector256.LoadUnsafe(ref rg, i) + vwd * vp;
                var b = vmu * Vector256.LoadUnsafe(ref rb, i) + vs * d;
                var step = nesterov ? d + vmu * b : b;
                b.StoreUnsafe(ref rb, i);
                (vp - vlr * step).StoreUnsafe(ref rp, i);
            }
        }
        int done = (int)i;
        SgdMomentumScalar(p[done..], g[done..], buf[done..], lr, wd, momentum, gradScale, nesterov);
    }

    /// <summary>Scalar twin of <see cref="SgdMomentum"/>.</summary>
    public static void SgdMomentumScalar(Span<float> p, ReadOnlySpan<float> g, Span<float> buf,
        float lr, float wd, float momentum, float gradScale, bool nesterov)
    {
        CheckLengths(p.Length, g.Length, buf.Length, buf.Length);
        for (int i = 0; i < p.Length; i++)
        {
            float d = g[i] + wd * p[i];
            float b = momentum * buf[i] + gradScale * d;
            float step = nesterov ? d + momentum * b : b;
            buf[i] = b;
            p[i] = p[i] - lr * step;
        }
    }

    /// <summary>
    /// Adam / AdamW, PyTorch semantics (bias correction, ε added after the square root):
    /// d = g + λ₂·p;  p ← keep·p;  m = β1·m + (1−β1)·d;  v = β2·v + (1−β2)·d²;
    /// p ← p − stepSize · m / (√v / √(1−β2ᵗ) + ε)  with stepSize = lr / (1−β1ᵗ).
    /// Adam passes λ₂ = weight decay and keep = 1; AdamW passes λ₂ = 0 and keep = 1 − lr·weight decay.
    /// Finally p ← clamp(p, low, high) when the coefficients carry bounds.
    /// </summary>
    public static unsafe void Adam(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, in AdamCoefficients c)
    {
        CheckLengths(p.Length, g.Length, m.Length, v.Length);
        int length = p.Length;
        int chunks = BatchParallel.ChunksFor(length, ParallelGrain);
        if (chunks <= 1)
        {
            AdamRange(p, g, m, v, c);
            return;
        }
        // Element-wise, so chunks give the same bits as one pass; large tensors (HGQ's per-weight bits) use every core.
        var coefficients = c;
        fixed (float* pp = p, pg = g, pm = m, pv = v)
        {
            nint ap = (nint)pp, ag = (nint)pg, am = (nint)pm, av = (nint)pv;
            BatchParallel.For(length, chunks, (_, start, end) => AdamRange(
                new Span<float>((float*)ap + start, end - start), new ReadOnlySpan<float>((float*)ag + start, end - start),
                new Span<float>((float*)am + start, end - start), new Span<float>((float*)av + start, end - start), coefficients));
        }
    }

    /// <summary>Elements per chunk below which an update stays on one thread (a thread hand-off costs more).</summary>
    private const int ParallelGrain = 1 << 15;

    private static void AdamRange(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, in AdamCoefficients c)
    {
        ref float rp = ref MemoryMarshal.GetReference(p);
        ref float rg = ref MemoryMarshal.GetReference(g);
        ref float rm = ref MemoryMarshal.GetReference(m);
        ref float rv = ref MemoryMarshal.GetReference(v);
        nuint n = (nuint)p.Length, i = 0;
        float oneMinusBeta1 = 1f - c.Beta1, oneMinusBeta2 = 1f - c.Beta2;

        if (Vector512.IsHardwareAccelerated)
        {
            var l2 = Vector512.Create(c.L2);
            var keep = Vector512.Create(c.Keep);
            var b1 = Vector512.Create(c.Beta1);
            var b2 = Vector512.Create(c.Beta2);
            var a1 = Vector512.Create(oneMinusBeta1);
            var a2 = Vector512.Create(oneMinusBeta2);
            var bc2 = Vector512.Create(c.BiasCorrection2Sqrt);
            var eps = Vector512.Create(c.Epsilon);
            var stepSize = Vector512.Create(c.StepSize);
            var low = Vector512.Create(c.Low);
            var high = Vector512.Create(c.High);
            for (; i + (nuint)Vector512<float>.Count <= n; i += (nuint)Vector512<float>.Count)
            {
                var vp = Vector512.LoadUnsafe(ref rp, i);
                var d = Vector512.LoadUnsafe(ref rg, i) + l2 * vp;
                vp = keep * vp;
                var vm = b1 * Vector512.LoadUnsafe(ref rm, i) + a1 * d;
                var vv = b2 * Vector512.LoadUnsafe(ref rv, i) + a2 * (d * d);
                var denom = Vector512.Sqrt(vv) / bc2 + eps;
                vm.StoreUnsafe(ref rm, i);
                vv.StoreUnsafe(ref rv, i);
                vp -= stepSize * vm / denom;
                vp = Vector512.ConditionalSelect(Vector512.LessThan(vp, low), low, vp);
                Vector512.ConditionalSelect(Vector512.GreaterThan(vp, high), high, vp).StoreUnsafe(ref rp, i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var l2 = Vector256.Create(c.L2);
            var keep = Vector256.Create(c.Keep);
            var b1 = Vector256.Create(c.Beta1);
            var b2 = Vector256.Create(c.Beta2);
            var a1 = Vector256.Create(oneMinusBeta1);
            var a2 = Vector256.Create(oneMinusBeta2);
            var bc2 = Vector256.Create(c.BiasCorrection2Sqrt);
            var eps = Vector256.Create(c.Epsilon);
            var stepSize = Vector256.Create(c.StepSize);
            var low = Vector256.Create(c.Low);
            var high = Vector256.Create(c.High);
            for (; i + (nuint)Vector256<float>.Count <= n; i += (nuint)Vector256<float>.Count)
            {
                var vp = Vector256.LoadUnsafe(ref rp, i);
                var d = Vector256.LoadUnsafe(ref rg, i) + l2 * vp;
                vp = keep * vp;
                var vm = b1 * Vector256.LoadUnsafe(ref rm, i) + a1 * d;
                var vv = b2 * Vector256.LoadUnsafe(ref rv, i) + a2 * (d * d);
                var denom = Vector256.Sqrt(vv) / bc2 + eps;
                vm.StoreUnsafe(ref rm, i);
                vv.StoreUnsafe(ref rv, i);
                vp -= stepSize * vm / denom;
                vp = Vector256.ConditionalSelect(Vector256.LessThan(vp, low), low, vp);
                Vector256.ConditionalSelect(Vector256.GreaterThan(vp, high), high, vp).StoreUnsafe(ref rp, i);
            }
        }
        int done = (int)i;
        AdamScalar(p[done..], g[done..], m[done..], v[done..], c);
    }

    /// <summary>Scalar twin of <see cref="Adam"/>.</summary>
    public static void AdamScalar(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, in AdamCoefficients c)
    {
        CheckLengths(p.Length, g.Length, m.Length, v.Length);
        float oneMinusBeta1 = 1f - c.Beta1, oneMinusBeta2 = 1f - c.Beta2;
        for (int i = 0; i < p.Length; i++)
        {
            float d = g[i] + c.L2 * p[i];
            float vp = c.Keep * p[i];
            float vm = c.Beta1 * m[i] + oneMinusBeta1 * d;
            float vv = c.Beta2 * v[i] + oneMinusBeta2 * (d * d);
            float denom = MathF.Sqrt(vv) / c.BiasCorrection2Sqrt + c.Epsilon;
            m[i] = vm;
            v[i] = vv;
            float updated = vp - c.StepSize * vm / denom;
            // The bounds as Math.Clamp applies them (NaN stays NaN); infinite bounds change nothing.
            if (updated < c.Low) updated = c.Low;
            if (updated > c.High) updated = c.High;
            p[i] = updated;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckLengths(int p, int g, int a, int b)
    {
        if (g != p || a != p || b != p) throw new ArgumentException($"span lengths differ: parameter {p}, gradient {g}, state {a}/{b}");
    }
}

/// <summary>Per-step scalars of the Adam kernel (see <see cref="OptimizerKernels.Adam"/>).</summary>
/// <see cref="Low"/> and <see cref="High"/> bound the updated parameter (clamped in the same pass; infinite = no bound).
internal readonly record struct AdamCoefficients(
    float StepSize, float Beta1, float Beta2, float Epsilon, float BiasCorrection2Sqrt, float L2, float Keep,
    float Low = float.NegativeInfinity, float High = float.PositiveInfinity);
