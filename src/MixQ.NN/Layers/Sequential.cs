using MixQ.NN.Modules;
using MixQ.Tensors;

namespace MixQ.NN.Layers;

/// <summary>Runs its layers in order. Children are named "0", "1", ... (parameters "0.weight", like PyTorch).</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _layers = [];

    public Sequential(params Module[] layers)
    {
        foreach (var layer in layers) Add(layer);
    }

    public IReadOnlyList<Module> Layers => _layers;

    public int Count => _layers.Count;

    /// <summary>Appends a layer (named by its position) and returns this container for chaining.</summary>
    public Sequential Add(Module layer)
    {
        RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    /// <summary>Puts <paramref name="layer"/> in place of the layer at <paramref name="index"/>, keeping its name.</summary>
    public void Replace(int index, Module layer)
    {
        ReplaceModule(index.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers[index] = layer;
    }

    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var layer in _layers) x = layer.Forward(x);
        return x;
    }
}
