using MixQ.NN.Layers;
using MixQ.NN.Modules;
using MixQ.Quantization.Scaling;
using MixQ.Tensors;

namespace MixQ.Quantization.Plans;

/// <summary>A Linear or Conv2d layer of a model (a <see cref="QuantizableLayer"/>), by dotted module name, with its weight and row geometry.</summary>
public sealed record QuantTarget(string Name, LayerKind Kind, Module Module, Tensor Weight, LayerRole Role)
{
    public int Rows => WeightRows.Count(Weight);

    public int RowLength => WeightRows.Length(Weight);

    /// <summary>
    /// Every Linear and Conv2d of <paramref name="model"/> in model order (depth-first, as
    /// <see cref="Module.NamedModules"/> lists them); the first is marked <see cref="LayerRole.First"/>, the last
    /// <see cref="LayerRole.Last"/>.
    /// </summary>
    public static IReadOnlyList<QuantTarget> Find(Module model)
    {
        var found = new List<(string Name, LayerKind Kind, Module Module, Tensor Weight)>();
        foreach (var (name, module) in model.NamedModules())
        {
            switch (module)
            {
                case Linear linear:
                    found.Add((name, LayerKind.Linear, linear, linear.Weight));
                    break;
                case Conv2d conv:
                    found.Add((name, LayerKind.Conv2d, conv, conv.Weight));
                    break;
                case QuantizableLayer other:
                    throw new NotSupportedException($"layer {name} ({other.GetType().Name}) has no plan kind yet");
            }
        }
        return found.Select((f, i) => new QuantTarget(f.Name, f.Kind, f.Module, f.Weight, RoleAt(i, found.Count))).ToArray();
    }

    /// <summary>The role of position <paramref name="index"/> among <paramref name="count"/> quantizable layers.</summary>
    public static LayerRole RoleAt(int index, int count) =>
        (index == 0 ? LayerRole.First : LayerRole.Inner) | (index == count - 1 ? LayerRole.Last : LayerRole.Inner);
}
