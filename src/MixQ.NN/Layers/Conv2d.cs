using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>
/// 2-D convolution over [N, C, H, W] with square kernels (see <see cref="Ops.Conv2d"/>). Weight
/// [out, in/groups, k, k] and bias [out] are initialised like PyTorch, fan-in = in/groups * k * k.
/// </summary>
public sealed class Conv2d : QuantizableLayer
{
    public Conv2d(int inChannels, int outChannels, int kernelSize, Random rng, int stride = 1, int padding = 0,
        bool bias = true, int groups = 1)
        : this(ParameterInit.KaimingUniform(rng, FanIn(inChannels, kernelSize, groups), outChannels, CheckGroups(inChannels, outChannels, groups), kernelSize, kernelSize),
               bias ? ParameterInit.FanInUniform(rng, FanIn(inChannels, kernelSize, groups), outChannels) : null,
               stride, padding, groups)
    {
    }

    /// <summary>A layer over the given parameters (for example weights with a BatchNorm folded in).</summary>
    public Conv2d(Tensor weight, Tensor? bias, int stride = 1, int padding = 0, int groups = 1)
    {
        if (weight.Rank != 4 || weight.Dim(2) != weight.Dim(3))
            throw new ArgumentException($"conv weight must be [out, in/groups, k, k], got {ShapeUtil.Format(weight.Shape)}");
        if (bias is not null && (bias.Rank != 1 || bias.Dim(0) != weight.Dim(0)))
            throw new ArgumentException($"conv bias must be [{weight.Dim(0)}], got {ShapeUtil.Format(bias.Shape)}");
        if (stride < 1 || padding < 0 || groups < 1 || weight.Dim(0) % groups != 0)
            throw new ArgumentException($"invalid conv settings stride={stride} padding={padding} groups={groups}");
        InChannels = weight.Dim(1) * groups;
        OutChannels = weight.Dim(0);
        KernelSize = weight.Dim(2);
        Stride = stride;
        Padding = padding;
        Groups = groups;
        Weight = RegisterParameter("weight", weight);
        if (bias is not null) Bias = RegisterParameter("bias", bias);
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public int KernelSize { get; }
    public int Stride { get; }
    public int Padding { get; }
    public int Groups { get; }
    public override Tensor Weight { get; }
    public override Tensor? Bias { get; }

    public override Tensor Forward(Tensor input) => Ops.Conv2d(QuantizeInput(input), EffectiveWeight(), Bias, Stride, Padding, Groups);

    private static int FanIn(int inChannels, int kernelSize, int groups) => inChannels / Math.Max(1, groups) * kernelSize * kernelSize;

    private static int CheckGroups(int inChannels, int outChannels, int groups)
    {
        if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"groups={groups} must divide in channels {inChannels} and out channels {outChannels}");
        return inChannels / groups;
    }
}
