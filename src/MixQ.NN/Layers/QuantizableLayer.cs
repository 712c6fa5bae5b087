using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>
/// A layer with a weight matrix whose rows a quantizer can format (Linear, Conv2d). Quantization attaches two
/// optional transforms — one applied to the weight, one to the layer's input — as child modules, so their state
/// (scales, clipping thresholds) is saved with the model and found by optimizers. The layer itself stays in place,
/// wherever it sits in the tree (inside attention blocks too), and keeps its parameter names.
/// </summary>
public abstract class QuantizableLayer : Module
{
    /// <summary>Child-module names of the quantizers: their state appears in a state dict as "layer.weight_quant.x".</summary>
    public const string WeightQuantizerName = "weight_quant", InputQuantizerName = "input_quant";

    public abstract Tensor Weight { get; }
    public abstract Tensor? Bias { get; }

    /// <summary>Maps the float weight to its fake-quantized value (differentiable), or null for none.</summary>
    public Module? WeightQuantizer { get; private set; }

    /// <summary>Maps the layer's input to its fake-quantized value (differentiable), or null for none.</summary>
    public Module? InputQuantizer { get; private set; }

    /// <summary>Rows of the weight: output neurons of a Linear, output channels of a Conv2d.</summary>
    public int Rows => Weight.Dim(0);

    /// <summary>Weights per row: in-features, or in-channels x kernel height x kernel width.</summary>
    public int RowLength => Weight.Size / Weight.Dim(0);

    public void AttachQuantizers(Module? weightQuantizer, Module? inputQuantizer)
    {
        if (WeightQuantizer is not null || InputQuantizer is not null)
            throw new InvalidOperationException($"{GetType().Name} already has quantizers attached");
        if (weightQuantizer is not null) WeightQuantizer = RegisterModule(WeightQuantizerName, weightQuantizer);
        if (inputQuantizer is not null) InputQuantizer = RegisterModule(InputQuantizerName, inputQuantizer);
    }

    /// <summary>Whether a state-dict name belongs to an attached quantizer: a quantized model's checkpoint has such entries, a float one none.</summary>
    public static bool IsQuantizerEntry(string name) => name.Split('.').Any(part => part is WeightQuantizerName or InputQuantizerName);

    /// <summary>The weight as the forward pass uses it.</summary>
    public Tensor EffectiveWeight() => WeightQuantizer?.Forward(Weight) ?? Weight;

    /// <summary>Sees every input before quantization (calibration collects ranges through it); not saved.</summary>
    public Action<Tensor>? InputProbe { get; set; }

    protected Tensor QuantizeInput(Tensor input)
    {
        InputProbe?.Invoke(input);
        return InputQuantizer?.Forward(input) ?? input;
    }
}
