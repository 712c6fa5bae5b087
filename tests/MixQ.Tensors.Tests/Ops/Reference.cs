namespace MixQ.Tensors.Tests;

/// <summary>
/// Naive double-precision twins of the tensor ops on flat row-major arrays, for <see cref="GradCheck"/>.
/// Deliberately simple: every element is located by full multi-index arithmetic, sharing no code with the
/// kernels under test.
/// </summary>
public static class Reference
{
    public static int Size(int[] shape)
    {
        int n = 1;
        foreach (int d in shape) n *= d;
        return n;
    }

    public static int[] Unravel(int flat, int[] shape)
    {
        var index = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }

    public static int Ravel(int[] index, int[] shape)
    {
        int flat = 0;
        for (int d = 0; d < shape.Length; d++) flat = flat * shape[d] + index[d];
        return flat;
    }

    public static int[] BroadcastShape(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var a1 = Enumerable.Repeat(1, rank - a.Length).Concat(a).ToArray();
        var b1 = Enumerable.Repeat(1, rank - b.Length).Concat(b).ToArray();
        return a1.Zip(b1, (x, y) => x == 1 ? y : x).ToArray();
    }

    /// <summary>Index into an operand of shape <paramref name="shape"/> broadcast to an output position.</summary>
    public static int BroadcastIndex(int[] outIndex, int[] shape)
    {
        int lead = outIndex.Length - shape.Length;
        var index = new int[shape.Length];
        for (int d = 0; d < shape.Length; d++) index[d] = shape[d] == 1 ? 0 : outIndex[lead + d];
        return Ravel(index, shape);
    }

    public static double[] Broadcast(double[] a, int[] aShape, double[] b, int[] bShape, Func<double, double, double> f)
    {
        var outShape = BroadcastShape(aShape, bShape);
        var result = new double[Size(outShape)];
        for (int o = 0; o < result.Length; o++)
        {
            var index = Unravel(o, outShape);
            result[o] = f(a[BroadcastIndex(index, aShape)], b[BroadcastIndex(index, bShape)]);
        }
        return result;
    }

    public static double[] Map(double[] x, Func<double, double> f) => x.Select(f).ToArray();

    /// <summary>Result axis i is input axis perm[i].</summary>
    public static double[] Permute(double[] x, int[] shape, int[] perm)
    {
        var outShape = perm.Select(p => shape[p]).ToArray();
        var result = new double[x.Length];
        for (int o = 0; o < result.Length; o++)
        {
            var outIndex = Unravel(o, outShape);
            var inIndex = new int[shape.Length];
            for (int i = 0; i < perm.Length; i++) inIndex[perm[i]] = outIndex[i];
            result[o] = x[Ravel(inIndex, shape)];
        }
        return result;
    }

    /// <summary>Folds <paramref name="f"/> over <paramref name="axis"/>, seeded with the first element.</summary>
    public static double[] ReduceAxis(double[] x, int[] shape, int axis, Func<double, double, double> f)
    {
        var outShape = shape.Where((_, d) => d != axis).ToArray();
        var result = new double[Size(outShape)];
        var seen = new bool[result.Length];
        for (int i = 0; i < x.Length; i++)
        {
            var index = Unravel(i, shape).Where((_, d) => d != axis).ToArray();
            int o = Ravel(index, outShape);
            result[o] = seen[o] ? f(result[o], x[i]) : x[i];
            seen[o] = true;
        }
        return result;
    }

    public static double[] SumAxis(double[] x, int[] shape, int axis) => ReduceAxis(x, shape, axis, (p, q) => p + q);

    /// <summary>[m, k] x [k, n] by the textbook triple loop.</summary>
    public static double[] MatMul(double[] a, double[] b, int m, int k, int n)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
                c[i * n + j] = s;
            }
        return c;
    }

    public static double[] Transpose(double[] x, int rows, int cols) => Permute(x, [rows, cols], [1, 0]);

    public static double[] Slice(double[] x, int[] shape, int axis, int start, int length)
    {
        var outShape = (int[])shape.Clone();
        outShape[axis] = length;
        var result = new double[Size(outShape)];
        for (int o = 0; o < result.Length; o++)
        {
            var index = Unravel(o, outShape);
            index[axis] += start;
            result[o] = x[Ravel(index, shape)];
        }
        return result;
    }

    public static double[] Concat(double[][] parts, int[][] shapes, int axis)
    {
        var outShape = (int[])shapes[0].Clone();
        outShape[axis] = shapes.Sum(s => s[axis]);
        var result = new double[Size(outShape)];
        for (int o = 0; o < result.Length; o++)
        {
            var index = Unravel(o, outShape);
            int part = 0;
            while (index[axis] >= shapes[part][axis])
            {
                index[axis] -= shapes[part][axis];
                part++;
            }
            result[o] = parts[part][Ravel(index, shapes[part])];
        }
        return result;
    }

    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
}
