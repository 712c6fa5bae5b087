using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>
/// Batch normalisation over channel axis 1 (PyTorch semantics, see <see cref="Ops.BatchNorm"/>): training uses
/// batch statistics and updates the running ones with <see cref="Momentum"/>; evaluation uses the running ones.
/// Parameters "weight" (gamma, ones) and "bias" (beta, zeros); buffers "running_mean" (zeros) and
/// "running_var" (ones), named like PyTorch so checkpoints map one to one.
/// </summary>
public abstract class BatchNorm : Module
{
    protected BatchNorm(int numFeatures, float eps, float momentum, bool affine)
    {
        if (numFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(numFeatures), numFeatures, "need at least one feature");
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones(numFeatures));
            Bias = RegisterParameter("bias", Tensor.Zeros(numFeatures));
        }
        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(numFeatures));
        RunningVar = RegisterBuffer("running_var", Tensor.Ones(numFeatures));
    }

    public int NumFeatures { get; }
    public float Eps { get; }
    public float Momentum { get; }
    public Tensor? Weight { get; }
    public Tensor? Bias { get; }
    public Tensor RunningMean { get; }
    public Tensor RunningVar { get; }

    /// <summary>Whether the layer accepts an input of this rank (checked before normalising).</summary>
    protected abstract bool AcceptsRank(int rank);

    protected abstract string ExpectedLayout { get; }

    public override Tensor Forward(Tensor input)
    {
        if (!AcceptsRank(input.Rank) || input.Dim(1) != NumFeatures)
            throw new ArgumentException($"{GetType().Name}({NumFeatures}) expects {ExpectedLayout} with C = {NumFeatures}, got {ShapeUtil.Format(input.Shape)}");
        return Ops.BatchNorm(input, Weight, Bias, RunningMean, RunningVar, Training, Momentum, Eps);
    }

    /// <summary>
    /// The evaluation-mode transform as a per-channel affine map y = scale * x + shift:
    /// scale = gamma / sqrt(running_var + eps), shift = beta - running_mean * scale. Folding it into the
    /// preceding Linear/Conv (see <see cref="BatchNormFolding"/>) removes the layer for inference.
    /// </summary>
    public (float[] Scale, float[] Shift) FoldedScaleShift()
    {
        var scale = new float[NumFeatures];
        var shift = new float[NumFeatures];
        var mean = RunningMean.Contiguous().Span;
        var variance = RunningVar.Contiguous().Span;
        for (int c = 0; c < NumFeatures; c++)
        {
            double gamma = Weight is null ? 1.0 : Weight[c];
            double beta = Bias is null ? 0.0 : Bias[c];
            double s = gamma / Math.Sqrt(variance[c] + (double)Eps);
            scale[c] = (float)s;
            shift[c] = (float)(beta - mean[c] * s);
        }
        return (scale, shift);
    }
}
