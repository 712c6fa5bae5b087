using MixQ.Tensors;

namespace MixQ.NN.Optim;

/// <summary>
/// Stores a step count in a float32 tensor without rounding. float32 holds integers exactly only up to 2^24
/// (about 16.7 million steps), so the count is split into two 24-bit halves [high, low] with
/// count = high * 2^24 + low, which is exact up to 2^48.
/// </summary>
internal static class StepCountTensor
{
    private const long Half = 1L << 24;

    public static Tensor Encode(long count)
    {
        if (count < 0 || count >= Half * Half) throw new ArgumentOutOfRangeException(nameof(count), count, "step count out of range");
        return Tensor.FromArray([count / Half, count % Half], 2);
    }

    /// <param name="what">Names the entry in the error message, e.g. "optimizer state ...: entry '3.step'".</param>
    public static long Decode(Tensor tensor, string what)
    {
        if (tensor.Rank != 1 || tensor.Size != 2)
            throw new MixQException($"{what} has shape {ShapeUtil.Format(tensor.Shape)}, expected a step count of shape [2]");
        var v = tensor.ToArray();
        foreach (float half in v)
            if (!(half >= 0 && half < Half) || half != MathF.Floor(half))
                throw new MixQException($"{what} is not a valid step count ({v[0]}, {v[1]})");
        return (long)v[0] * Half + (long)v[1];
    }
}
