using System.Buffers;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using MixQ.Tensors;

namespace MixQ.NN.Optim;

/// <summary>
/// Stochastic gradient descent with optional (Nesterov) momentum and coupled weight decay, following
/// torch.optim.SGD: d = g + λ·p; buf = d on a parameter's first step, then buf = μ·buf + (1 − dampening)·d;
/// p −= lr·(nesterov ? d + μ·buf : buf); without momentum p −= lr·d.
/// </summary>
public sealed class Sgd : Optimizer
{
    private static readonly string[] MomentumBuffer = ["momentum_buffer"];

    public Sgd(IReadOnlyList<Tensor> parameters, SgdOptions options) : base(parameters, options.LearningRate)
    {
        if (!(options.Momentum >= 0)) throw new ArgumentOutOfRangeException(nameof(options), options.Momentum, "momentum must be non-negative");
        if (!(options.Dampening >= 0 && options.Dampening <= 1)) throw new ArgumentOutOfRangeException(nameof(options), options.Dampening, "dampening must be in [0, 1]");
        if (!(options.WeightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(options), options.WeightDecay, "weight decay must be non-negative");
        if (options.Nesterov && (options.Momentum == 0 || options.Dampening != 0))
            throw new ArgumentException("Nesterov momentum needs a positive momentum and zero dampening", nameof(options));
        Options = options;
    }

    public SgdOptions Options { get; }

    protected override IReadOnlyList<string> BufferNames => Options.Momentum == 0 ? [] : MomentumBuffer;

    /// <summary>
    /// The momentum buffer: an element whose buffer is reset then takes the step a fresh parameter takes (exactly so
    /// without dampening; with dampening its gradient enters scaled by 1 − dampening, as on any later step).
    /// </summary>
    protected override IReadOnlyList<int> MomentumBuffers => Options.Momentum == 0 ? [] : [0];

    protected override void Update(Tensor parameter, ReadOnlySpan<float> gradient, ParameterState state)
    {
        var p = parameter.Span;
        float lr = LearningRate;
        float wd = DecayFor(parameter, Options.WeightDecay, Options.DecayFilter);
        if (Options.Momentum != 0)
        {
            float gradScale = state.Steps == 1 ? 1f : 1f - Options.Dampening;
            OptimizerKernels.SgdMomentum(p, gradient, state.Buffers[0], lr, wd, Options.Momentum, gradScale, Options.Nesterov);
        }
        else if (wd == 0)
        {
            TensorPrimitives.MultiplyAdd(gradient, -lr, p, p);
        }
        else
        {
            // d = g + λ·p must use the parameter before the update, so it goes through scratch.
            float[] scratch = ArrayPool<float>.Shared.Rent(p.Length);
            try
            {
                var d = scratch.AsSpan(0, p.Length);
                TensorPrimitives.MultiplyAdd(p, wd, gradient, d);
                TensorPrimitives.MultiplyAdd(d, -lr, p, p);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
            }
        }
    }
}
