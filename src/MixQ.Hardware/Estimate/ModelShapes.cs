using MixQ.NN.Layers;
using MixQ.NN.Models;
using MixQ.NN.Modules;
using MixQ.Quantization.Plans;
using MixQ.Tensors;
using MixQ.Tensors.Autograd;

namespace MixQ.Hardware.Estimate;

/// <summary>
/// Layer shapes of a model: traced from a built model by one forward pass on a zero input (each layer's input probe
/// reports its input shape), or for the zoo models and ResNet-18 on ImageNet without any weights or data.
/// </summary>
public static class ModelShapes
{
    /// <summary>Names accepted by <see cref="ForName"/>: the zoo's image models plus "resnet18" (ImageNet, 224x224, shapes only).</summary>
    public static IReadOnlyList<string> Names { get; } = ["mlp", "jetmlp", "lenet5", "cifarnet", "resnet20", "resnet18"];

    /// <summary>Shapes of a model by name, with the input the zoo models are trained on (MNIST 1x28x28, CIFAR-10 3x32x32).</summary>
    public static IReadOnlyList<LayerShape> ForName(string name)
    {
        string canonical = name.Trim().ToLowerInvariant();
        int[]? input = canonical switch
        {
            "mlp" or "jetmlp" or "lenet5" => [1, 28, 28],
            "cifarnet" or "resnet20" => [3, 32, 32],
            _ => null,
        };
        if (canonical == "resnet18") return ResNet18ImageNet.Shapes();
        if (input is null)
            throw new MixQException($"unknown model '{name}' for shape analysis (expected one of: {string.Join(", ", Names)})");
        var spec = new ModelSpec(canonical, input, 10);
        return Trace(ModelZoo.Create(spec, new Random(0)), input);
    }

    /// <summary>Runs one sample of zeros through <paramref name="model"/> and records every Linear and Conv2d's work.</summary>
    public static IReadOnlyList<LayerShape> Trace(Module model, int[] inputShape)
    {
        var targets = QuantTarget.Find(model);
        var inputs = new Dictionary<string, int[]>(StringComparer.Ordinal);
        var previous = new List<(QuantizableLayer Layer, Action<Tensor>? Probe)>();
        foreach (var target in targets)
        {
            var layer = (QuantizableLayer)target.Module;
            string name = target.Name;
            previous.Add((layer, layer.InputProbe));
            var old = layer.InputProbe;
            layer.InputProbe = t =>
            {
                old?.Invoke(t);
                inputs.TryAdd(name, t.ShapeArray());
            };
        }
        bool training = model.Training;
        try
        {
            model.Eval();
            using (GradMode.NoGrad())
                model.Forward(Tensor.Zeros([1, .. inputShape]));
        }
        finally
        {
            foreach (var (layer, probe) in previous) layer.InputProbe = probe;
            if (training) model.Train();
        }
        return targets.Select(t => Shape(t, inputs.TryGetValue(t.Name, out var s) ? s
            : throw new InvalidOperationException($"layer {t.Name} was not reached by the forward pass"))).ToArray();
    }

    private static LayerShape Shape(QuantTarget target, int[] input)
    {
        if (target.Module is Conv2d conv)
        {
            int h = (input[2] + 2 * conv.Padding - conv.KernelSize) / conv.Stride + 1;
            int w = (input[3] + 2 * conv.Padding - conv.KernelSize) / conv.Stride + 1;
            return new LayerShape(target.Name, LayerKind.Conv2d, target.Rows, target.RowLength, (long)h * w, (long)input[1] * input[2] * input[3]);
        }
        // A Linear layer applies to every vector of its input's last dimension (tokens of a sequence, say).
        long vectors = input.Aggregate(1L, (a, b) => a * b) / input[^1] / input[0];
        return new LayerShape(target.Name, LayerKind.Linear, target.Rows, target.RowLength, vectors, vectors * input[^1]);
    }
}
