using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>
/// Batch normalization over the channel axis (axis 1) of [N, C] or [N, C, H, W] input, PyTorch semantics:
/// training uses batch statistics and updates running ones (momentum 0.1, unbiased running variance);
/// evaluation uses the running statistics.
/// </summary>
public abstract class BatchNorm : Module
{
    protected BatchNorm(int channels, int expectedRank, float eps, float momentum)
    {
        Channels = channels;
        ExpectedRank = expectedRank;
        Eps = eps;
        Momentum = momentum;
        Weight = RegisterParameter("weight", Tensor.Ones(channels));
        Bias = RegisterParameter("bias", Tensor.Zeros(channels));
        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(channels));
        RunningVar = RegisterBuffer("running_var", Tensor.Ones(channels));
    }

    public int Channels { get; }
    public float Eps { get; }
    public float Momentum { get; }
    public Tensor Weight { get; }
    public Tensor Bias { get; }
    public Tensor RunningMean { get; }
    public Tensor RunningVar { get; }
    private int ExpectedRank { get; }

    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != ExpectedRank || input.Dim(1) != Channels)
            throw new ArgumentException($"{GetType().Name}({Channels}) got input {ShapeUtil.Format(input.Shape)}");
        return Ops.BatchNorm(input, Weight, Bias, RunningMean, RunningVar, Training, Momentum, Eps);
    }

    /// <summary>
    /// The per-channel affine map this layer applies in evaluation mode, y = scale * x + shift, with
    /// scale = gamma / sqrt(running_var + eps) and shift = beta - scale * running_mean.
    /// </summary>
    public (float[] Scale, float[] Shift) EvalAffine()
    {
        var scale = new float[Channels];
        var shift = new float[Channels];
        var gamma = Weight.Span;
        var beta = Bias.Span;
        var mean = RunningMean.Span;
        var variance = RunningVar.Span;
        for (int c = 0; c < Channels; c++)
        {
            scale[c] = gamma[c] / MathF.Sqrt(variance[c] + Eps);
            shift[c] = beta[c] - scale[c] * mean[c];
        }
        return (scale, shift);
    }
}

/// <summary>Batch normalization of [N, C] features.</summary>
public sealed class BatchNorm1d(int features, float eps = 1e-5f, float momentum = 0.1f) : BatchNorm(features, 2, eps, momentum);

/// <summary>Batch normalization of [N, C, H, W] feature maps.</summary>
public sealed class BatchNorm2d(int channels, float eps = 1e-5f, float momentum = 0.1f) : BatchNorm(channels, 4, eps, momentum);
