using MixQ.Tensors;

namespace MixQ.NN.Modules;

/// <summary>
/// A network building block. Parameters (trainable tensors) and buffers (state such as BatchNorm running
/// statistics) are registered by name so that optimizers, checkpoints and quantizers can find them;
/// child modules are registered so names nest ("features.0.weight").
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Tensor Tensor)> _parameters = [];
    private readonly List<(string Name, Tensor Tensor)> _buffers = [];
    private readonly List<(string Name, Module Module)> _children = [];

    /// <summary>True in training mode (dropout active, BatchNorm uses batch statistics).</summary>
    public bool Training { get; private set; } = true;

    public abstract Tensor Forward(Tensor input);

    public Tensor this[Tensor input] => Forward(input);

    protected Tensor RegisterParameter(string name, Tensor tensor)
    {
        tensor.RequiresGrad = true;
        tensor.Name = name;
        _parameters.Add((name, tensor));
        return tensor;
    }

    protected Tensor RegisterBuffer(string name, Tensor tensor)
    {
        tensor.Name = name;
        _buffers.Add((name, tensor));
        return tensor;
    }

    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        _children.Add((name, module));
        return module;
    }

    /// <summary>Swaps the child registered as <paramref name="name"/> (model surgery: folding, quantization).</summary>
    protected void ReplaceModule(string name, Module replacement)
    {
        int index = _children.FindIndex(c => c.Name == name);
        if (index < 0) throw new ArgumentException($"{GetType().Name} has no child named '{name}'");
        _children[index] = (name, replacement);
    }

    public IEnumerable<(string Name, Module Module)> Children => _children;

    public IEnumerable<(string Name, Tensor Tensor)> NamedParameters(string prefix = "")
    {
        foreach (var (name, t) in _parameters) yield return (prefix + name, t);
        foreach (var (name, child) in _children)
            foreach (var item in child.NamedParameters(prefix + name + ".")) yield return item;
    }

    public IEnumerable<(string Name, Tensor Tensor)> NamedBuffers(string prefix = "")
    {
        foreach (var (name, t) in _buffers) yield return (prefix + name, t);
        foreach (var (name, child) in _children)
            foreach (var item in child.NamedBuffers(prefix + name + ".")) yield return item;
    }

    /// <summary>Parameters and buffers: everything a checkpoint must hold.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> StateDict() => NamedParameters().Concat(NamedBuffers());

    public IReadOnlyList<Tensor> Parameters() => NamedParameters().Select(p => p.Tensor).ToList();

    /// <summary>Every module in the tree, depth first, with its dotted name ("" for the root).</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix.TrimEnd('.'), this);
        foreach (var (name, child) in _children)
            foreach (var item in child.NamedModules(prefix + name + ".")) yield return item;
    }

    public void Train(bool on = true)
    {
        Training = on;
        foreach (var (_, child) in _children) child.Train(on);
    }

    public void Eval() => Train(false);

    public void ZeroGrad()
    {
        foreach (var (_, p) in NamedParameters()) p.Grad = null;
    }

    public long ParameterCount() => NamedParameters().Sum(p => (long)p.Tensor.Size);
}
