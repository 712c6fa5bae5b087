using MixQ.NN.Modules;
using MixQ.Quantization.Observers;
using MixQ.Tensors;

namespace MixQ.Quantization;

/// <summary>
/// A fake-quantization module for activations (<see cref="FakeQuant.Activations"/>) with its clipping threshold
/// <see cref="Clip"/>: a trainable parameter in <see cref="ClipMode.Learned"/> (PACT), a buffer in
/// <see cref="ClipMode.Calibrated"/>. Calibration (either mode) is PyTorch-style: between
/// <see cref="BeginCalibration"/> and <see cref="EndCalibration"/> the forward pass only feeds the observer and
/// returns its input unchanged; at the end the clip takes the observer's threshold.
/// </summary>
public sealed class ActivationQuantizer : Module
{
    public ActivationQuantizer(ActivationQuantConfig config, RangeObserver? observer = null)
    {
        Config = config.Validate();
        var clip = Tensor.FromArray([config.InitialClip], 1);
        Clip = config.Mode == ClipMode.Learned ? RegisterParameter("clip", clip) : RegisterBuffer("clip", clip);
        Observer = observer ?? (config.Percentile >= 100
            ? new MinMaxObserver(config.Signed)
            : new PercentileObserver(config.Signed, config.Percentile));
        if (Observer.Signed != config.Signed)
            throw new ArgumentException("the observer's signedness differs from the quantizer's", nameof(observer));
    }

    public ActivationQuantConfig Config { get; }

    /// <summary>The clipping threshold a, shape [1].</summary>
    public Tensor Clip { get; }

    public RangeObserver Observer { get; }

    public bool Calibrating { get; private set; }

    /// <summary>Starts collecting statistics (and stops quantizing) until <see cref="EndCalibration"/>.</summary>
    public void BeginCalibration()
    {
        Observer.Reset();
        Calibrating = true;
    }

    /// <summary>
    /// Sets the clip from the observer and resumes quantizing; returns the clip. When the observer saw no positive
    /// value (e.g. a dead ReLU) the clip keeps its previous value, since a threshold of 0 cannot quantize.
    /// </summary>
    public float EndCalibration()
    {
        Calibrating = false;
        float threshold = Observer.Threshold();
        if (threshold > 0f) Clip.Span[0] = threshold;
        return Clip.Span[0];
    }

    public override Tensor Forward(Tensor input)
    {
        if (Calibrating)
        {
            Observer.Observe(input);
            return input;
        }
        return FakeQuant.Activations(input, Clip, Config.Bits, Config.Signed);
    }
}
